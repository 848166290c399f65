"""The word search of the API list and the directory (partners.selectors.
_words_filter): every word must be found somewhere in the group, each group
listed once however many places a word is found in; and on PostgreSQL the
search reads the trigram indexes (partners.0014), not every row."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from partners.models import Activity, CommunityGroup
from partners.selectors import group_filter
from tests import factories as f

TRIGRAM_INDEXES = {
    "partners_group_name_trgm",
    "partners_group_description_trgm",
    "partners_activity_title_trgm",
    "partners_activity_description_trgm",
}


def _found(client, q: str) -> tuple[int, list[str]]:
    body = client.get("/api/groups/", {"q": q}).json()
    return body["count"], sorted(row["name"] for row in body["results"])


@pytest.mark.django_db
def test_every_word_must_be_found_somewhere_in_the_group(client):
    larder = f.CommunityGroupFactory(name="Seedley Larder", description="Food for all")
    f.ActivityFactory(group=larder, title="Tai chi", description="Slow moves in the PARK")
    f.CommunityGroupFactory(name="Park Runners", description="Saturday mornings")
    assert _found(client, "larder park") == (1, ["Seedley Larder"])  # name + activity
    assert _found(client, "FOOD chi") == (1, ["Seedley Larder"])  # description + title
    assert _found(client, "park") == (2, ["Park Runners", "Seedley Larder"])
    assert _found(client, "larder bingo") == (0, [])


@pytest.mark.django_db
def test_a_group_found_in_many_places_is_listed_once(client):
    """The word is in the name, the description and two activities: one
    row, and a count of one (no join to repeat the group)."""
    group = f.CommunityGroupFactory(name="Knit Club", description="We knit")
    f.ActivityFactory(group=group, title="Knit and natter", description="Knit")
    f.ActivityFactory(group=group, title="Knit in the library")
    assert _found(client, "knit") == (1, ["Knit Club"])
    assert _found(client, "knit knit") == (1, ["Knit Club"])


@pytest.mark.django_db
def test_like_wildcards_in_a_word_are_plain_characters(client):
    f.CommunityGroupFactory(name="100% Volunteers")
    f.CommunityGroupFactory(name="1000 Voices")
    assert _found(client, "100%") == (1, ["100% Volunteers"])
    assert _found(client, "_00") == (0, [])


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_reads_the_trigram_indexes():
    """3,000 groups, each with an activity, a rare word in one of each of
    the four columns: the plan reads the four indexes, and no table whole.
    At this size a scan of the table costs the planner little, so scans
    are priced out (enable_seqscan): what is tested is that the indexes
    answer the LIKEs as Django writes them (UPPER(col::text)), which an
    index on another expression would not. At 100,000 groups the planner
    picks them unprompted (tests/bench/bench_web.py's ?q= rows)."""
    hood = f.NeighbourhoodFactory()
    groups = CommunityGroup.objects.bulk_create(
        CommunityGroup(
            name=f"Friends of Park {i}",
            description="We meet every week.",
            neighbourhood=hood,
            status="verified",
            consent_public=True,
        )
        for i in range(3000)
    )
    Activity.objects.bulk_create(
        Activity(group=g, title=f"Lunch club {g.pk}", description="A hot meal.") for g in groups
    )
    rare = "Zymurgy"
    CommunityGroup.objects.filter(pk=groups[10].pk).update(name=f"{rare} Society")
    CommunityGroup.objects.filter(pk=groups[20].pk).update(description=f"All about {rare}")
    Activity.objects.filter(group=groups[30]).update(title=f"{rare} night")
    Activity.objects.filter(group=groups[40]).update(description=f"Home {rare.lower()}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_communitygroup")
        cursor.execute("ANALYZE partners_activity")
    found = group_filter(queryset=CommunityGroup.objects.public(), q=rare.upper())
    assert sorted(found.values_list("pk", flat=True)) == [g.pk for g in groups[10:50:10]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = found.explain()
    used = {name for name in TRIGRAM_INDEXES if name in plan}
    assert used == TRIGRAM_INDEXES, plan
    assert "Seq Scan on partners_activity" not in plan, plan
