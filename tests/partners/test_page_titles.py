"""A group's pages for the public, its contact and the anchor team have the
same number in their address (/directory/42/, /group/42/, /team/groups/42/):
their titles still say which page is which (WCAG 2.4.2)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def title(response) -> str:
    assert response.status_code == 200
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_a_groups_three_pages_have_different_titles(client, personas):
    group = personas.group_a
    titles = [title(client.get(f"/directory/{group.pk}/"))]
    client.force_login(personas.dave)
    titles.append(title(client.get(f"/group/{group.pk}/")))
    client.force_login(personas.alice)
    titles.append(title(client.get(f"/team/groups/{group.pk}/")))
    assert len(set(titles)) == 3, titles
    assert all("Ordsall Lunch Club" in t for t in titles), titles
