"""The log scan (tests/conftest.py) really catches personal data, and fails
the test that logged it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests import factories as f
from tests.conftest import _personal_values, personal_data_in, personal_values_of

ROOT = Path(__file__).resolve().parents[2]


def test_it_finds_an_email_address_and_a_phone_number():
    assert personal_data_in(["partners: sent link to dave@example.org"])
    assert personal_data_in(["partners: call 0161 496 0000"])
    assert personal_data_in(["partners: call +44 7700 900123"])


def test_it_passes_ids_and_system_addresses():
    assert not personal_data_in(["partners: group 42 verified by user 7"])
    assert not personal_data_in(["mail: from no-reply@backer.invalid"])
    assert not personal_data_in(["matching: run 12 took 0.031 s, objective 1234.5678"])
    assert not personal_data_in(
        ["Not Found: /openreferral/services/00000000-0000-0000-0000-000000000000"]
    )


def test_it_finds_the_personal_values_it_is_given():
    values = {"Margaret Hiddenname", "12 Acacia Avenue", "M5 4WT"}
    assert personal_data_in(["partners: group for margaret hiddenname"], values)
    assert personal_data_in(["places: geocoded 12 Acacia Avenue"], values)
    assert personal_data_in(["places: no neighbourhood for M5 4WT"], values)
    assert not personal_data_in(["partners: group 42 saved"], values)


@pytest.mark.django_db
def test_it_learns_what_the_tests_data_holds():
    group = f.CommunityGroupFactory(
        contact_name="Trevor Concealed", address="Flat 4, 99 Secret Street", meets_at_home=True
    )
    values = personal_values_of(group)
    assert {"Trevor Concealed", "Flat 4, 99 Secret Street", group.postcode} <= values
    assert {"Trevor Concealed", group.contact_email} <= _personal_values


LEAKY_TEST = """
import logging
import pytest
from tests import factories as f

@pytest.mark.django_db
def test_quiet():
    logging.getLogger("partners").info("group saved")

@pytest.mark.django_db
def test_leaky():
    group = f.CommunityGroupFactory(contact_name="Trevor Concealed")
    logging.getLogger("partners").info("saved %s", group.contact_name)

@pytest.mark.django_db
def test_quiet_after():
    logging.getLogger("partners").info("group saved")
"""


def test_the_test_that_logged_it_is_the_one_that_fails():
    probe = ROOT / "tests" / "config" / f"test_leak_probe_{uuid.uuid4().hex}.py"
    probe.write_text(LEAKY_TEST)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", str(probe), "-q", "-p", "no:randomly"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        probe.unlink()
    out = result.stdout
    assert result.returncode == 1, out[-2000:]
    # test_leaky itself passed; its teardown errors, naming it; the others are clean.
    assert "3 passed, 1 error" in out, out[-2000:]
    assert f"ERROR {probe.relative_to(ROOT)}::test_leaky" in out, out[-2000:]
    assert "test_leaky wrote personal data to the log" in out
    assert "saved Trevor Concealed" in out
