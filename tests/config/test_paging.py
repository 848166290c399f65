"""Counts that stay cheap at national scale (config/paging.py, issue 18): a
list counts its rows no further than a little past the page asked for,
exact below that and a lower bound that says so above it, in the API and the
public directory alike; every page stays reachable."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from config import paging
from partners.models import CommunityGroup
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ahead_3(monkeypatch):  # type: ignore[no-untyped-def]
    """Count 3 rows past the page (1,000 in production), so a few groups show it."""
    monkeypatch.setattr(paging.BoundedPaginator, "ahead", 3)


@pytest.fixture
def twelve(db):  # type: ignore[no-untyped-def]
    f.CommunityGroupFactory.create_batch(12)
    return CommunityGroup.objects.public().count()


def _counts(captured):  # type: ignore[no-untyped-def]
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_paginator_counts_no_further_than_the_page_and_what_is_ahead(ahead_3, twelve):
    groups = CommunityGroup.objects.public().order_by("name", "id")
    first = paging.BoundedPaginator(groups, 2)
    first.ask("1")
    with CaptureQueriesContext(connection) as captured:
        assert first.count == 5
    assert not first.exact
    (count_sql,) = _counts(captured)
    assert "LIMIT 5" in count_sql and "ORDER BY" not in count_sql, count_sql
    deep = paging.BoundedPaginator(groups, 2)
    deep.ask(5)
    assert deep.count == twelve == 12 and deep.exact  # 5 * 2 + 3 = 13 > 12: exact


def test_a_paginator_not_told_the_page_or_told_nonsense_counts_exactly_or_from_page_1(
    ahead_3, twelve
):
    groups = CommunityGroup.objects.public()
    exact = paging.BoundedPaginator(groups, 2)
    assert exact.count == 12 and exact.exact
    nonsense = paging.BoundedPaginator(groups, 2)
    nonsense.ask("x" * 5000)
    assert nonsense.count == 5
    huge = paging.BoundedPaginator(groups, 2)
    huge.ask(10**40)  # no LIMIT a database cannot take: counted exactly
    assert huge.count == 12 and huge.exact


def test_the_api_says_when_its_count_is_a_lower_bound_and_every_page_is_reachable(
    client, ahead_3, twelve
):
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/api/groups/?page_size=2").json()
    assert (first["count"], first["count_exact"]) == (5, False)
    assert all(" LIMIT " in sql for sql in _counts(captured)), _counts(captured)
    names, url = [], "/api/groups/?page_size=2"
    while url:
        page = client.get(url).json()
        names += [g["name"] for g in page["results"]]
        url = page["next"]
    assert len(names) == len(set(names)) == 12
    assert (page["count"], page["count_exact"]) == (12, True)
    last = client.get("/api/groups/?page_size=2&page=last").json()
    assert (last["count"], last["count_exact"], len(last["results"])) == (12, True, 2)
    assert last["next"] is None


def test_a_short_list_is_counted_exactly(client, twelve):
    page = client.get("/api/groups/").json()
    assert (page["count"], page["count_exact"]) == (12, True)


def test_the_schema_documents_count_exact_on_every_page():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    pages = {
        name: component
        for name, component in schema["components"]["schemas"].items()
        if name.startswith("Paginated")
    }
    assert pages
    for name, component in pages.items():
        assert component["properties"]["count_exact"]["type"] == "boolean", name
        assert "count_exact" in component["required"], name


def test_the_directory_says_or_more_and_counts_exactly_further_on(client, ahead_3, db):
    f.CommunityGroupFactory.create_batch(30)
    first = client.get("/directory/").content.decode()
    assert "23 or more groups found" in first  # a page of 20 and 3 ahead
    assert "Page 1 of 2 or more" in first
    second = client.get("/directory/?page=2").content.decode()
    assert "30 groups found" in second and "or more groups" not in second
    assert "Page 2 of 2</p>" in second


def test_a_page_carries_its_count_and_an_empty_one_is_counted_on_its_own(client, ahead_3, twelve):
    """A page is read with its count in one query (CountUpto); a page with
    no rows carries nothing, so the count is read on its own: a search that
    finds nothing says 0, exactly, and a page past the end is not found."""
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/api/groups/?page_size=2").json()
    assert (first["count"], len(first["results"])) == (5, 2)
    assert len(_counts(captured)) == 1 and " LIMIT 2" in _counts(captured)[0]
    assert paging.COUNT_KEY not in first["results"][0]
    with CaptureQueriesContext(connection) as captured:
        none = client.get("/api/groups/?q=zzzznothing").json()
    assert (none["count"], none["count_exact"], none["results"]) == (0, True, [])
    assert any(sql.startswith("SELECT COUNT(*)") for sql in _counts(captured))
    past = client.get("/api/groups/?page_size=2&page=7")
    assert past.status_code == 404, past.content
    assert "Invalid page" in past.json()["message"]
    assert client.get("/api/groups/?page_size=2&page=6").json()["count"] == 12


def test_a_plain_queryset_is_paged_with_its_count_and_a_page_past_the_end_is_refused(
    ahead_3, twelve
):
    groups = CommunityGroup.objects.public().order_by("name", "id")
    paginator = paging.BoundedPaginator(groups, 5)
    paginator.ask(3)
    with CaptureQueriesContext(connection) as captured:
        page = paginator.page(3)
        assert (len(page), paginator.count, paginator.num_pages, page.has_next()) == (
            2,
            12,
            3,
            False,
        )
    assert len(captured.captured_queries) == 1
    beyond = paging.BoundedPaginator(groups, 5)
    beyond.ask(4)
    with pytest.raises(EmptyPage):
        beyond.page(4)
    for nonsense in ("x", "0", 1.5):
        with pytest.raises((EmptyPage, PageNotAnInteger)):
            paging.BoundedPaginator(groups, 5).page(nonsense)
