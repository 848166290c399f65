"""manage.py export_map: the board map as one standalone HTML file."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from matching.models import MatchStatus
from tests import factories as f


@pytest.fixture
def backed(personas):  # type: ignore[no-untyped-def]
    home = f.CommunityGroupFactory(
        meets_at_home=True,
        address="12 Private Road",
        contact_name="Harriet Homeworker",
        contact_email="harriet@example.org",
        neighbourhood=f.NeighbourhoodFactory(imd_decile=1, name="Testford Deprived 001A"),
    )
    f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=home)),
        resource=f.ResourceFactory(anchor=personas.anchor_a),
        status=MatchStatus.ACTIVE,
    )
    personas.home = home
    return personas


def export(tmp_path, *args: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    out = tmp_path / "board-map.html"
    stdout = io.StringIO()
    call_command("export_map", "--out", str(out), *args, stdout=stdout)
    return out.read_text(encoding="utf-8"), stdout.getvalue()


def test_it_writes_a_standalone_html_file(backed, tmp_path):  # type: ignore[no-untyped-def]
    html, said = export(tmp_path)

    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "Testford Deprived 001A" in html
    assert "<script src=" not in html
    assert '<link rel="stylesheet" href=' not in html
    assert "cdn" not in html.lower()
    assert "Wrote the board map" in said


def test_it_carries_no_personal_data(backed, tmp_path):  # type: ignore[no-untyped-def]
    html, _ = export(tmp_path, "--anchor", "anchor-a")

    for secret in ("Harriet Homeworker", "harriet@example.org", "12 Private Road"):
        assert secret not in html
    for group in (backed.group_a, backed.group_b):
        assert group.contact_email not in html
        assert group.contact_name not in html


def test_it_writes_to_stdout_when_asked(backed):  # type: ignore[no-untyped-def]
    stdout = io.StringIO()

    call_command("export_map", "--out", "-", "--period", "12m", stdout=stdout)

    assert "Testford Deprived 001A" in stdout.getvalue()


def test_an_unknown_anchor_is_refused_with_the_known_ones(backed, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=r"No anchor has the slug 'nope'.*anchor-a, anchor-b"):
        export(tmp_path, "--anchor", "nope")
    assert not (tmp_path / "board-map.html").exists()


def test_a_missing_folder_is_refused(backed, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_map", "--out", str(tmp_path / "no" / "map.html"))


def test_the_file_gets_the_usual_mode_not_0600(backed, tmp_path):  # type: ignore[no-untyped-def]
    import os

    previous = os.umask(0o022)
    try:
        out = tmp_path / "map.html"
        call_command("export_map", "--out", str(out), stdout=io.StringIO())
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == 0o644
