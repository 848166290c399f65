"""config.filtering.FilterBackend: no FilterSet is built for a list request
that names none of its filters (issue 18); a filter asked for still filters,
and a bad value is still a 400."""

from __future__ import annotations

import pytest
from django_filters import FilterSet

from tests import factories as f


@pytest.fixture
def built(monkeypatch):  # type: ignore[no-untyped-def]
    made = []
    original = FilterSet.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FilterSet, "__init__", counting)
    return made


def test_a_list_without_filters_builds_no_filterset(db, client, built):
    f.CommunityGroupFactory(name="Hulton Lunch")
    response = client.get("/api/groups/?page=1&page_size=10")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Hulton Lunch"]
    assert built == []


def test_a_filter_asked_for_builds_it_and_filters(db, client, built):
    f.CommunityGroupFactory(name="Hulton Lunch", description="Hot dinners")
    f.CommunityGroupFactory(name="Park Friends")
    response = client.get("/api/groups/?q=dinners")
    assert [row["name"] for row in response.json()["results"]] == ["Hulton Lunch"]
    assert built == ["GroupFilter"]
    assert client.get("/api/groups/?imd_decile=11").status_code == 400
