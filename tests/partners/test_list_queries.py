"""Every list reads a fixed number of queries whatever its page size, and
never a neighbourhood's boundary (issue 18). The directory pages in SQL: with
many groups, the rows it reads stay those of one page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from matching.models import MatchRun
from partners.models import CommunityGroup
from places.models import Neighbourhood
from tests import factories as f
from tests.counts import counts_in

ORIGIN = (53.4850, -2.3000)  # EPSG:4326, "M5 4WT" below


def _get(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    # The session's own reads and writes depend on the clock, not the list.
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]


def _count_sql(client, url):  # type: ignore[no-untyped-def]
    """The list's one count, as a query of its own (tests/counts.py)."""
    counts = counts_in(_get(client, url))
    assert len(counts) == 1, counts
    return counts[0][0]


def _groups(count, **kwargs):  # type: ignore[no-untyped-def]
    """Groups each with an activity (two themes) and a need, in the
    neighbourhood of M5 4WT (new neighbourhoods would make the postcode
    search rebuild its index of boundaries)."""
    hood = Neighbourhood.objects.get(point_lat=ORIGIN[0], point_lon=ORIGIN[1])
    for _ in range(count):
        activity = f.ActivityFactory(
            themes=["food", "older-people"], group__neighbourhood=hood, **kwargs
        )
        f.NeedFactory(activity=activity)


@pytest.fixture
def listed(personas):  # type: ignore[no-untyped-def]
    hood = f.NeighbourhoodFactory(point_lat=ORIGIN[0], point_lon=ORIGIN[1])
    f.PostcodeFactory(
        postcode="M5 4WT", latitude=ORIGIN[0], longitude=ORIGIN[1], neighbourhood_code=hood.code
    )
    _groups(12)
    for _ in range(6):
        f.SiteFactory(anchor=personas.anchor_a)
    resource = f.ResourceFactory(anchor=personas.anchor_a)
    resource.eligible_neighbourhoods.add(hood)
    f.ResourceFactory(anchor=personas.anchor_a)
    MatchRun.objects.create(anchor=personas.anchor_a, status="succeeded")
    for need in list(f.pm.Need.objects.all())[:8]:
        f.MatchFactory(need=need, resource=resource)
    return personas


PUBLIC_LISTS = ["/api/groups/", "/api/activities/", "/api/needs/", "/api/sites/"]
TEAM_LISTS = [
    "/api/groups/",
    "/api/groups/?q=lunch&theme=food",
    "/api/matches/",
    "/api/resources/",
    "/api/match-runs/",
]


@pytest.mark.parametrize("url", PUBLIC_LISTS)
def test_a_public_list_costs_the_same_queries_for_2_rows_as_for_10(listed, client, url):
    small = _get(client, f"{url}?page_size=2")
    large = _get(client, f"{url}?page_size=10")
    assert len(small) == len(large), "\n".join(large)


def _more_rows(personas):  # type: ignore[no-untyped-def]
    """Ten more of everything a team list shows."""
    _groups(10)
    resource = f.ResourceFactory(anchor=personas.anchor_a)
    for need in f.pm.Need.objects.order_by("-id")[:10]:
        f.MatchFactory(need=need, resource=resource)
    for _ in range(10):
        f.ResourceFactory(anchor=personas.anchor_a, themes=["food"])
        MatchRun.objects.create(anchor=personas.anchor_a, status="succeeded")


@pytest.mark.parametrize("url", TEAM_LISTS)
def test_a_team_list_costs_the_same_queries_whatever_the_rows_on_its_page(listed, client, url):
    client.force_login(listed.alice)
    few = _get(client, url)
    _more_rows(listed)
    many = _get(client, url)
    assert len(few) == len(many), "\n".join(many)


@pytest.mark.parametrize("url", PUBLIC_LISTS)
def test_a_public_list_reads_no_boundary(listed, client, url):
    for sql in _get(client, url):
        assert '"geometry"' not in sql, sql


@pytest.mark.parametrize("url", TEAM_LISTS)
def test_a_team_list_reads_no_boundary_nor_more_than_it_shows(listed, client, url):
    client.force_login(listed.alice)
    for sql in _get(client, url):
        assert '"geometry"' not in sql, sql
    if url.startswith("/api/matches/"):
        # The match list shows the group's name: its contacts are not read.
        assert not any('"contact_email"' in sql for sql in _get(client, url))


def test_the_public_group_list_reads_no_contact_column(listed, client):
    for sql in _get(client, "/api/groups/"):
        assert '"contact_email"' not in sql and '"address"' not in sql, sql


DIRECTORY = [
    "/directory/",
    "/directory/?q=lunch",
    "/directory/?theme=food",
    "/directory/?postcode=M5+4WT&miles=10",
]


@pytest.mark.parametrize("url", DIRECTORY)
def test_the_directory_costs_the_same_queries_for_12_groups_as_for_a_full_page(listed, client, url):
    # The postcode lookup's own queries (places: its cached index of
    # boundaries) are not the list's; the list's are those on groups.
    few = [sql for sql in _get(client, url) if '"partners_' in sql]
    _groups(20)  # 32 groups: more than a page of 20
    many = _get(client, url)
    assert len(few) == len([sql for sql in many if '"partners_' in sql]), "\n".join(many)
    for sql in many:
        assert '"geometry"' not in sql, sql


@pytest.mark.parametrize("url", DIRECTORY)
def test_the_directory_reads_one_page_of_groups_in_sql(listed, client, url):
    _groups(30)  # 42 groups in all, every one matching
    built = []

    def count(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
        built.append(instance)

    post_init.connect(count, sender=CommunityGroup)
    try:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url + ("&" if "?" in url else "?") + "page=2").content.decode()
    finally:
        post_init.disconnect(count, sender=CommunityGroup)
    queries = [q["sql"] for q in captured.captured_queries]
    body_groups = [sql for sql in queries if 'FROM "partners_communitygroup"' in sql]
    page_reads = [sql for sql in body_groups if "LIMIT 20" in sql]
    assert len(page_reads) == 1 and "OFFSET 20" in page_reads[0], "\n".join(body_groups)
    # The page's 20 groups, each shown from its row: no model instance built.
    assert page.count("<article>") == 20
    assert built == []


@pytest.mark.parametrize("url", PUBLIC_LISTS + TEAM_LISTS)
def test_a_list_counts_its_rows_by_their_ids_alone(listed, client, url):
    """The bounded count reads the rows' ids, no column the page shows: no
    join for select_related, no theme array (config/paging.count_upto)."""
    client.force_login(listed.alice)
    count = _count_sql(client, url)
    assert re.match(
        r'SELECT COUNT\(\*\) FROM \(SELECT ("\w+"|[A-Z]\d)\."id" AS "pk" FROM ', count
    ), count


@pytest.mark.parametrize("url", DIRECTORY)
def test_the_directory_counts_its_groups_by_their_ids_alone(listed, client, url):
    count = _count_sql(client, url)
    assert re.match(
        r'SELECT COUNT\(\*\) FROM \(SELECT ("\w+"|[A-Z]\d)\."id" AS "pk" FROM ', count
    ), count


@pytest.mark.parametrize("url", PUBLIC_LISTS + TEAM_LISTS + DIRECTORY)
def test_a_list_reads_its_page_and_its_count_in_one_query(listed, client, url):
    """A round trip fewer a request (issue 18): the page's query carries
    its count (config/paging.CountUpto), which the database reads once."""
    client.force_login(listed.alice)
    ((count, sent),) = counts_in(_get(client, url))
    assert count != sent and " LIMIT " in sent.replace(count, ""), sent


# Each group list, unfiltered, by words and by a theme.
GROUP_LISTS_NOT_BY_PLACE = [
    f"{path}{query}"
    for path in ("/api/groups/", "/directory/")
    for query in ("", "?q=lunch", "?theme=food")
]


@pytest.mark.parametrize("url", GROUP_LISTS_NOT_BY_PLACE)
def test_a_public_group_count_reads_no_neighbourhood(listed, client, url):
    """The public group list's page reads each neighbourhood's name across a
    join (values()); its count must not keep that join, which stopped
    PostgreSQL counting public groups from their partial index alone
    (partners.0016). Anonymous: the public's rows are the lean ones. A
    search by place (a postcode, a neighbourhood) joins it to filter."""
    count = _count_sql(client, url)
    assert "places_neighbourhood" not in count, count
