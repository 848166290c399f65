"""A group rates the backing it was given (matching.services.feedback)."""

from __future__ import annotations

import pytest

from maps.figures import ACTIVE_STATUSES
from matching.errors import ApplicationError, IllegalTransition, NotFound
from matching.models import MatchFeedback, MatchStatus
from matching.models_voice import QUOTE_CONSENT_VERSION, UNDER_WAY_STATUSES
from matching.services import feedback, review

S = MatchStatus


@pytest.fixture
def under_way(proposal):  # type: ignore[no-untyped-def]
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    review.match_accept(match_id=proposal.match.pk, by=proposal.dave)
    return proposal


def _give(p, by=None, **answers):  # type: ignore[no-untyped-def]
    values = {"helped": 4, "listened": 5, "again": "yes", "comment": "", "quote_consent": False}
    values.update(answers)
    return feedback.match_feedback_give(match_id=p.match.pk, by=by or p.dave, **values)


def test_under_way_means_the_boards_active_backing():
    assert set(UNDER_WAY_STATUSES) == set(ACTIVE_STATUSES)


def test_the_group_rates_backing_under_way(under_way):
    given = _give(under_way, comment="The room made all the difference.")

    assert (given.helped, given.listened, given.again) == (4, 5, "yes")
    assert given.comment == "The room made all the difference."
    assert given.quote_consent is False and given.quote_consent_at is None


def test_one_rating_per_match_changed_until_completion(under_way):
    _give(under_way, helped=2)
    review.match_activate(match_id=under_way.match.pk, by=under_way.alice)
    _give(under_way, helped=5, again="not_sure")

    assert MatchFeedback.objects.filter(match=under_way.match).count() == 1
    assert MatchFeedback.objects.get(match=under_way.match).helped == 5


def test_consent_is_recorded_with_its_wording_and_time_and_kept_on_edit(under_way):
    first = _give(under_way, quote_consent=True)
    second = _give(under_way, quote_consent=True, helped=3)

    assert first.quote_consent_version == QUOTE_CONSENT_VERSION
    assert second.quote_consent_at == first.quote_consent_at
    third = _give(under_way, quote_consent=False)
    assert (third.quote_consent, third.quote_consent_version, third.quote_consent_at) == (
        False,
        "",
        None,
    )


@pytest.mark.parametrize("steps", [[], ["approve"], ["approve", "accept", "start", "complete"]])
def test_it_is_refused_before_take_up_and_after_completion(proposal, steps):
    pk = proposal.match.pk
    actions = {
        "approve": lambda: review.match_approve(match_id=pk, by=proposal.alice),
        "accept": lambda: review.match_accept(match_id=pk, by=proposal.dave),
        "start": lambda: review.match_activate(match_id=pk, by=proposal.alice),
        "complete": lambda: review.match_complete(
            match_id=pk, by=proposal.alice, people_reached=3, story="Done.", blocks=["partners"]
        ),
    }
    for step in steps:
        actions[step]()

    with pytest.raises(IllegalTransition):
        _give(proposal)
    assert not MatchFeedback.objects.exists()


@pytest.mark.parametrize("who", ["erin", "alice", "carol", "root"])
def test_only_the_groups_own_contact_may_rate(under_way, who):
    with pytest.raises(NotFound):
        _give(under_way, by=getattr(under_way, who))
    assert not MatchFeedback.objects.exists()


def test_every_error_is_given_at_once(under_way):
    with pytest.raises(ApplicationError) as error:
        _give(under_way, helped=None, listened=9, again="maybe", comment="x" * 2001)

    assert set(error.value.extra["fields"]) == {"helped", "listened", "again", "comment"}


def test_consent_can_be_withdrawn_after_completion(under_way):
    pk = under_way.match.pk
    _give(under_way, quote_consent=True, comment="Quote me.")
    review.match_activate(match_id=pk, by=under_way.alice)
    review.match_complete(
        match_id=pk, by=under_way.alice, people_reached=3, story="Done.", blocks=["estates"]
    )

    withdrawn = feedback.match_feedback_consent_withdraw(match_id=pk, by=under_way.dave)

    assert withdrawn is not None and withdrawn.quote_consent is False
    with pytest.raises(NotFound):
        feedback.match_feedback_consent_withdraw(match_id=pk, by=under_way.erin)


def test_erasing_the_group_removes_its_words_and_consent(under_way):
    _give(under_way, quote_consent=True, comment="Quote me.")

    assert feedback.match_feedback_erase_for_group(group_id=under_way.group_a.pk) == 1

    kept = MatchFeedback.objects.get(match=under_way.match)
    assert (kept.comment, kept.quote_consent, kept.helped) == ("", False, 4)


def test_a_group_erased_through_its_page_loses_its_words(
    client, under_way, django_capture_on_commit_callbacks
):
    _give(under_way, quote_consent=True, comment="Quote me, please.")
    client.force_login(under_way.dave)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/group/{under_way.group_a.pk}/erase/")

    assert response.status_code == 302
    kept = MatchFeedback.objects.get(match=under_way.match)
    assert (kept.comment, kept.quote_consent) == ("", False)
