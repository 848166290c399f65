"""The group tells the anchor what happened on backing under way (people
reached so far, a short story, consent to quote it), and the team's
completion form starts from it (matching.services.group_reports)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from matching.errors import ApplicationError, IllegalTransition, NotFound
from matching.models import Match, MatchGroupReport, MatchStatus
from matching.models_voice import STORY_CONSENT_VERSION, STORY_MAX
from matching.services import group_reports, review

STORY = "Forty-two Quarrybank neighbours came to the lunch club this spring."


@pytest.fixture
def under_way(proposal):  # type: ignore[no-untyped-def]
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    review.match_accept(match_id=proposal.match.pk, by=proposal.dave)
    proposal.url = f"/group/offers/{proposal.match.pk}/what-happened/"
    return proposal


def _report(p, by=None, **answers):  # type: ignore[no-untyped-def]
    values = {"people_reached": 42, "story": STORY, "quote_consent": False}
    values.update(answers)
    return group_reports.match_report_give(match_id=p.match.pk, by=by or p.dave, **values)


def _complete(p):  # type: ignore[no-untyped-def]
    review.match_activate(match_id=p.match.pk, by=p.alice)
    review.match_complete(
        match_id=p.match.pk, by=p.alice, people_reached=40, story=STORY, blocks=["partners"]
    )


# --- The service -----------------------------------------------------------------------------


def test_the_group_reports_backing_under_way_once_per_match(under_way):
    _report(under_way, people_reached=12)
    review.match_activate(match_id=under_way.match.pk, by=under_way.alice)
    report = _report(under_way, people_reached=42)

    assert MatchGroupReport.objects.filter(match=under_way.match).count() == 1
    assert (report.people_reached, report.story) == (42, STORY)
    assert report.quote_consent is False and report.quote_consent_at is None


def test_consent_is_unticked_by_default_recorded_when_given_and_kept_on_edit(under_way):
    assert _report(under_way).quote_consent is False
    first = _report(under_way, quote_consent=True)
    second = _report(under_way, quote_consent=True, people_reached=50)
    third = _report(under_way, quote_consent=False)

    assert first.quote_consent_version == STORY_CONSENT_VERSION
    assert second.quote_consent_at == first.quote_consent_at is not None
    assert (third.quote_consent, third.quote_consent_version, third.quote_consent_at) == (
        False,
        "",
        None,
    )


@pytest.mark.parametrize("steps", [[], ["approve"], ["approve", "accept", "complete"]])
def test_it_is_refused_before_take_up_and_after_completion(proposal, steps):
    pk = proposal.match.pk
    actions = {
        "approve": lambda: review.match_approve(match_id=pk, by=proposal.alice),
        "accept": lambda: review.match_accept(match_id=pk, by=proposal.dave),
        "complete": lambda: _complete(proposal),
    }
    for step in steps:
        actions[step]()

    with pytest.raises(IllegalTransition):
        _report(proposal)
    assert not MatchGroupReport.objects.exists()


@pytest.mark.parametrize("who", ["erin", "alice", "carol", "root"])
def test_only_the_groups_own_contact_may_report(under_way, who):
    with pytest.raises(NotFound):
        _report(under_way, by=getattr(under_way, who))
    assert not MatchGroupReport.objects.exists()


@pytest.mark.parametrize(
    ("people", "story"), [(None, ""), (-1, "   "), (3, "x" * (STORY_MAX + 1)), (True, "")]
)
def test_every_error_is_given_at_once(under_way, people, story):
    with pytest.raises(ApplicationError) as error:
        _report(under_way, people_reached=people, story=story)

    fields = set(error.value.extra["fields"])
    assert fields == ({"story"} if people == 3 else {"people_reached", "story"})
    assert not MatchGroupReport.objects.exists()


def test_a_story_of_exactly_the_limit_is_kept(under_way):
    assert len(_report(under_way, story="y" * STORY_MAX).story) == STORY_MAX


def test_consent_can_be_withdrawn_after_completion(under_way):
    _report(under_way, quote_consent=True)
    _complete(under_way)

    withdrawn = group_reports.match_report_consent_withdraw(
        match_id=under_way.match.pk, by=under_way.dave
    )

    assert withdrawn is not None and withdrawn.quote_consent is False
    with pytest.raises(NotFound):
        group_reports.match_report_consent_withdraw(match_id=under_way.match.pk, by=under_way.erin)


def test_erasing_the_group_removes_its_story_and_the_teams_copy_of_it(under_way):
    _report(under_way, quote_consent=True)
    _complete(under_way)  # the team kept the group's story as it was reported

    assert group_reports.match_report_erase_for_group(group_id=under_way.group_a.pk) == 1

    kept = MatchGroupReport.objects.get(match=under_way.match)
    assert (kept.story, kept.quote_consent, kept.people_reached) == ("", False, 42)
    assert Match.objects.get(pk=under_way.match.pk).outcome_story == ""


def test_a_group_erased_through_its_page_loses_its_story(
    client, under_way, django_capture_on_commit_callbacks
):
    _report(under_way, quote_consent=True)
    client.force_login(under_way.dave)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/group/{under_way.group_a.pk}/erase/")

    assert response.status_code == 302
    kept = MatchGroupReport.objects.get(match=under_way.match)
    assert (kept.story, kept.quote_consent) == ("", False)


# --- The group's pages -----------------------------------------------------------------------


def _link(html: str, words: str) -> str:
    found = re.search(r'<a [^>]*href="([^"]+)"[^>]*>' + re.escape(words), html)
    assert found, f"no link {words!r}"
    return unescape(found.group(1))


@pytest.mark.parametrize("start", ["/group/offers/", "offer"])
def test_the_group_follows_the_link_from_its_offer_and_reports(client, under_way, start):
    client.force_login(under_way.dave)
    page = f"/group/offers/{under_way.match.pk}/feedback/" if start == "offer" else start

    url = _link(client.get(page).content.decode(), "Tell us what happened")
    form = client.get(url).content.decode()
    response = client.post(url, {"people_reached": "42", "story": STORY})

    assert url == under_way.url
    assert "How many people has it reached so far?" in form
    assert not re.search(r'<input[^>]*name="quote_consent"[^>]*checked', form)
    assert response.status_code == 302
    report = MatchGroupReport.objects.get(match=under_way.match)
    assert (report.people_reached, report.story, report.quote_consent) == (42, STORY, False)
    again = client.get(url).content.decode()
    assert 'value="42"' in again and STORY in again


def test_every_error_shows_at_once_and_what_was_typed_stays(client, under_way):
    client.force_login(under_way.dave)
    typed = "We met every Tuesday " + "and more " * 120

    html = client.post(
        under_way.url, {"people_reached": "-4", "story": typed, "quote_consent": "on"}
    ).content.decode()

    assert "There is a problem" in html
    assert 'href="#id_people_reached"' in html and 'href="#id_story"' in html
    assert "Enter how many people it has reached, as a whole number." in html
    assert f"Keep your story to {STORY_MAX:,} characters or fewer." in html
    assert 'value="-4"' in html and typed.strip() in unescape(html)
    assert re.search(r'<input[^>]*name="quote_consent"[^>]*checked', html)
    assert not MatchGroupReport.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("erin", 404), ("alice", 403), ("carol", 403)])
def test_no_one_else_opens_or_posts_it(client, under_way, who, status):
    client.force_login(getattr(under_way, who))

    assert client.get(under_way.url).status_code == status
    assert client.post(under_way.url, {"people_reached": "1", "story": "x"}).status_code == status
    assert not MatchGroupReport.objects.exists()


def test_the_public_is_sent_to_sign_in(client, under_way):
    response = client.get(under_way.url)

    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_after_completion_the_report_is_shown_not_changed_and_consent_withdrawn(client, under_way):
    _report(under_way, quote_consent=True)
    _complete(under_way)
    client.force_login(under_way.dave)

    html = client.get(under_way.url).content.decode()
    client.post(under_way.url, {"people_reached": "1", "story": "Changed."})

    assert "can no longer be changed" in html and "<textarea" not in html and STORY in html
    assert MatchGroupReport.objects.get(match=under_way.match).people_reached == 42
    client.post(f"{under_way.url}withdraw-consent/")
    assert MatchGroupReport.objects.get(match=under_way.match).quote_consent is False


# --- The team's pages ------------------------------------------------------------------------


def test_the_teams_completion_form_starts_from_the_groups_report(client, under_way):
    _report(under_way, people_reached=37, story="Thirty-seven came to the first sessions.")
    MatchGroupReport.objects.filter(match=under_way.match).update(
        updated_at=datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    )
    review.match_activate(match_id=under_way.match.pk, by=under_way.alice)
    client.force_login(under_way.alice)
    url = f"/team/matching/matches/{under_way.match.pk}/complete/"

    html = client.get(url).content.decode()

    assert "Reported by the group on 3 March 2026" in html
    assert re.search(r'<input[^>]*name="people_reached"[^>]*value="37"', html)
    assert "Thirty-seven came to the first sessions.</textarea>" in html
    # The team still codes the building blocks: none is ticked for it.
    assert not re.search(r'<input[^>]*name="blocks"[^>]*checked', html)
    response = client.post(
        url,
        {"people_reached": "40", "story": "Forty in the end.", "blocks": "partners"},
    )
    assert response.status_code == 302
    done = Match.objects.get(pk=under_way.match.pk)
    assert (done.status, done.outcome_people_reached) == (MatchStatus.COMPLETED, 40)


def test_without_a_report_the_completion_form_starts_empty(client, under_way):
    review.match_activate(match_id=under_way.match.pk, by=under_way.alice)
    client.force_login(under_way.alice)

    html = client.get(f"/team/matching/matches/{under_way.match.pk}/complete/").content.decode()

    assert "Reported by the group" not in html and "has not reported" in html


def test_the_team_reads_the_report_on_its_match_page(client, under_way):
    _report(under_way, quote_consent=True)
    client.force_login(under_way.alice)

    html = client.get(f"/team/matching/matches/{under_way.match.pk}/").content.decode()

    assert "What happened, as the group reported it" in html and STORY in html
