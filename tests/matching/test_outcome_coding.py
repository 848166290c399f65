"""A completed outcome is coded to anchor building blocks and, optionally,
TOMs measure codes: codes only, never the measures' text."""

from __future__ import annotations

import pytest

from matching.errors import ApplicationError
from matching.models import Match, MatchOutcomeBlock, MatchOutcomeMeasure, MatchStatus
from matching.services import review
from matching.services.outcomes import toms_code_normalise


@pytest.fixture
def active(proposal):  # type: ignore[no-untyped-def]
    pk = proposal.match.pk
    review.match_approve(match_id=pk, by=proposal.alice)
    review.match_accept(match_id=pk, by=proposal.dave)
    review.match_activate(match_id=pk, by=proposal.alice)
    return proposal


def test_the_outcome_is_saved_with_its_blocks_and_codes(active):
    review.match_complete(
        match_id=active.match.pk,
        by=active.alice,
        people_reached=40,
        story="Forty lunches.",
        blocks=["partners", "estates", "partners"],
        measures=["nt1", " HE12 ", "NT3A"],
    )

    blocks = MatchOutcomeBlock.objects.filter(match=active.match).values_list("block", flat=True)
    codes = MatchOutcomeMeasure.objects.filter(match=active.match).values_list("code", flat=True)
    assert sorted(blocks) == ["estates", "partners"]
    assert sorted(codes) == ["HE12", "NT1", "NT3a"]


@pytest.mark.parametrize(
    ("blocks", "measures", "field"),
    [
        ([], [], "blocks"),
        (["nonsense"], [], "blocks"),
        (["partners"], ["Local people employed"], "measures"),  # text, not a code
        (["partners"], ["N1"], "measures"),
        (["partners"], [f"NT{n}" for n in range(1, 12)], "measures"),  # more than 10
    ],
)
def test_bad_coding_is_refused_and_nothing_changes(active, blocks, measures, field):
    with pytest.raises(ApplicationError) as error:
        review.match_complete(
            match_id=active.match.pk,
            by=active.alice,
            people_reached=40,
            story="Forty lunches.",
            blocks=blocks,
            measures=measures,
        )

    assert set(error.value.extra["fields"]) == {field}
    assert Match.objects.get(pk=active.match.pk).status == MatchStatus.ACTIVE
    assert not MatchOutcomeMeasure.objects.exists()


def test_codes_are_normalised():
    assert [toms_code_normalise(c) for c in ("nt1", "Ne3A", " HE 12 ")] == ["NT1", "NE3a", "HE12"]


def test_the_outcome_page_shows_every_error_at_once_and_keeps_what_was_typed(active, client):
    client.force_login(active.alice)
    url = f"/team/matching/matches/{active.match.pk}/complete/"

    page = client.post(url, {"people_reached": "", "story": "", "measures": "NT1, nonsense"})

    html = page.content.decode()
    for field in ("people_reached", "story", "blocks"):
        assert f'href="#id_{field}' in html
    assert 'value="NT1, nonsense"' in html
    bad_code = client.post(
        url, {"people_reached": "4", "story": "Yes.", "blocks": ["partners"], "measures": "XX"}
    )
    assert 'href="#id_measures"' in bad_code.content.decode()
    assert Match.objects.get(pk=active.match.pk).status == MatchStatus.ACTIVE


def test_the_match_page_shows_the_coding(active, client):
    review.match_complete(
        match_id=active.match.pk,
        by=active.alice,
        people_reached=40,
        story="Forty lunches.",
        blocks=["environment"],
        measures=["NT1"],
    )
    client.force_login(active.alice)

    html = client.get(f"/team/matching/matches/{active.match.pk}/").content.decode()

    assert "Environmental sustainability" in html and "NT1" in html


def test_the_api_refuses_bad_coding_with_a_reason(active, client):
    client.force_login(active.alice)
    url = f"/api/matches/{active.match.pk}/complete/"

    for body in (
        {"people_reached": 3, "story": "Done."},
        {"people_reached": 3, "story": "Done.", "blocks": []},
        {"people_reached": 3, "story": "Done.", "blocks": ["partners"], "measures": ["??"]},
        {"people_reached": 3, "story": "Done.", "blocks": "partners", "measures": 7},
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["message"]
    ok = client.post(
        url,
        {"people_reached": 3, "story": "Done.", "blocks": ["workforce"], "measures": ["NT1"]},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert Match.objects.get(pk=active.match.pk).status == MatchStatus.COMPLETED
