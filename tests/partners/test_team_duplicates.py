"""Possible duplicates: same normalised name, same postcode and a similar
name, same charity number, or same contact e-mail."""

from __future__ import annotations

import pytest

from partners.duplicates import group_duplicates, groups_duplicates, name_normalise
from tests import factories as f


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("The Ordsall Lunch Club", "ordsall lunch"),
        ("ordsall lunch group!", "ordsall lunch"),
        ("St. Mary's Luncheon Club & Friends", "st mary luncheon friends"),
        ("  ", ""),
    ],
)
def test_it_normalises_names(raw, normal):
    assert name_normalise(raw) == normal


def _reasons(group):
    return {flag.name: flag.reasons for flag in group_duplicates(group=group)}


def test_it_flags_the_same_normalised_name(db):
    a = f.CommunityGroupFactory(name="The Ordsall Lunch Club", postcode="M5 3AA")
    b = f.CommunityGroupFactory(name="Ordsall lunch group", postcode="M6 1AA")
    assert _reasons(b) == {a.name: ("same name",)}


def test_it_does_not_flag_different_names_elsewhere(db):
    f.CommunityGroupFactory(name="Ordsall Lunch Club", postcode="M5 3AA")
    b = f.CommunityGroupFactory(name="Ordsall Litter Pickers", postcode="M6 1AA")
    assert _reasons(b) == {}


def test_it_flags_a_similar_name_at_the_same_postcode(db):
    a = f.CommunityGroupFactory(name="Weaste Walking Group", postcode="M5 2JR")
    b = f.CommunityGroupFactory(name="Weaste Walkers", postcode="M5 2JR")
    c = f.CommunityGroupFactory(name="Weaste Walkers", postcode="M7 1AA")
    assert _reasons(b) == {a.name: ("same postcode and a similar name",), c.name: ("same name",)}


def test_it_flags_the_same_charity_number_ignoring_spaces(db):
    a = f.CommunityGroupFactory(name="Broughton Trust", charity_number="1234567")
    b = f.CommunityGroupFactory(name="Something Else Entirely", charity_number="123 4567")
    assert _reasons(b) == {a.name: ("same charity number",)}


def test_it_flags_the_same_contact_email_ignoring_case(db):
    a = f.CommunityGroupFactory(name="Chess Club", contact_email="Sam@Example.org")
    b = f.CommunityGroupFactory(name="Board Games", contact_email="sam@example.org")
    assert _reasons(b) == {a.name: ("same contact email",)}


def test_it_gives_every_reason_that_holds(db):
    a = f.CommunityGroupFactory(
        name="Irlams Gardeners", charity_number="555", contact_email="x@example.org"
    )
    b = f.CommunityGroupFactory(
        name="Irlams Gardeners", charity_number="555", contact_email="x@example.org"
    )
    assert _reasons(b) == {a.name: ("same name", "same charity number", "same contact email")}


def test_erased_groups_are_never_candidates(db):
    from django.utils import timezone

    f.CommunityGroupFactory(name="Ordsall Lunch Club", erased_at=timezone.now())
    b = f.CommunityGroupFactory(name="Ordsall Lunch Club")
    assert _reasons(b) == {}


def test_a_whole_page_is_checked_in_one_query(db, django_assert_num_queries):
    groups = [f.CommunityGroupFactory(name=f"Group number {n}") for n in range(30)]
    with django_assert_num_queries(1):
        flags = groups_duplicates(groups=groups)
    assert set(flags) == {g.pk for g in groups}
