"""The directory keeps its rendered search form (issue 18: the form's widget
templates were about 40% of the page's time): a kept form must be exactly
what rendering gives for the same theme choices, values and errors, and a
change of any of them must show at once."""

from __future__ import annotations

import re

import pytest

from partners import views_directory
from partners.models import Theme
from tests import factories as f

QUERIES = [
    "",
    "?page=2",
    "?q=lunch",
    "?theme=food&theme=older-people",
    "?postcode=M5+4WT&miles=10",
    "?postcode=ZZ99+9ZZ",
    "?postcode=not+a+postcode&q=walk",
    "?miles=5",
]


def _form(client, query):  # type: ignore[no-untyped-def]
    body = client.get(f"/directory/{query}").content.decode()
    found = re.search(r'<form method="get".*?</form>', body, re.S)
    assert found, body[:500]
    return found.group(0)


@pytest.fixture
def fresh():  # type: ignore[no-untyped-def]
    views_directory._forms.clear()
    yield
    views_directory._forms.clear()


def test_a_kept_form_is_what_rendering_gives(client, m5, fresh):
    f.CommunityGroupFactory(neighbourhood=m5)
    rendered = {}
    for query in QUERIES:  # each rendered afresh
        views_directory._forms.clear()
        rendered[query] = _form(client, query)
    for query in QUERIES * 2:  # now kept, in another order
        assert _form(client, query) == rendered[query], query
    assert "error-message" in rendered["?postcode=not+a+postcode&q=walk"]
    assert 'value="lunch"' in rendered["?q=lunch"]
    assert rendered["?theme=food&theme=older-people"].count("checked") == 2


def test_a_new_theme_shows_in_the_form_at_once(client, m5, fresh):
    before = _form(client, "")
    Theme.objects.create(slug="bee-keeping", name="Bee keeping", position=99)
    after = _form(client, "")
    assert "Bee keeping" not in before
    assert "Bee keeping" in after


def test_an_error_shows_only_while_it_holds(client, m5, fresh):
    """The same values, once wrong and then right: the postcode becomes known."""
    assert "error-message" not in _form(client, "?postcode=M5+4WT")
    assert "error-message" in _form(client, "?postcode=M6+5AA")
    f.PostcodeFactory(
        postcode="M6 5AA", latitude=m5.point_lat, longitude=m5.point_lon, neighbourhood_code=m5.code
    )
    assert "error-message" not in _form(client, "?postcode=M6+5AA")


def test_the_forms_kept_are_bounded(client, m5, fresh, monkeypatch):
    monkeypatch.setattr(views_directory, "FORMS_KEPT", 3)
    for word in ("a", "b", "c", "d", "e"):
        _form(client, f"?q={word}")
    assert len(views_directory._forms) == 3
