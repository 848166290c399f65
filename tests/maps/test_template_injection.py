"""Partner text that looks like a Jinja template is shown, never run.

folium and branca wrap each element's rendered script in a new Jinja
Template, so text inside it is compiled on the server: a group called
"{{ 7777 * 3 }}" once came out as 23331 in the lines layer, and worse
expressions could run code. Every piece of partner text is escaped with its
braces as character references (maps.builders.esc), and the big layers skip
the extra Jinja pass altogether (maps.builders.elements._render_raw)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from maps.builders import esc, features_of
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

NAME = "Knit {{ 7777 * 3 }} {% if true %}club{% endif %} {# note #}"
RUN = "23331"  # what 7777 * 3 would have become


@pytest.fixture
def tricky(personas):
    hood = f.NeighbourhoodFactory(name="Ordsall {{ 1111 * 9 }}A", imd_decile=1)
    group = f.CommunityGroupFactory(name=NAME, neighbourhood=hood)
    resource = f.ResourceFactory(anchor=personas.anchor_a)
    resource.radius_site.name = "Site {{ 4242 * 2 }}"
    resource.radius_site.save()
    f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=group, themes=["food"])),
        resource=resource,
        status=MatchStatus.ACTIVE,
    )
    return group


def test_braces_are_escaped_as_character_references():
    assert esc("{{ x }}") == "&#123;&#123; x &#125;&#125;"
    assert esc("<b>{%") == "&lt;b&gt;&#123;%"


@pytest.mark.parametrize("level", ["", "?level=msoa", "?level=la"])
def test_a_template_in_a_name_is_never_run_on_any_map(client, personas, tricky, level):
    client.force_login(personas.carol)
    documents = [
        client.get(reverse(name) + level).content.decode()
        for name in ("maps:board-map-frame", "maps:board-map-download")
    ]
    client.logout()
    documents.append(client.get(reverse("maps:directory-map-frame")).content.decode())
    for html in documents:
        # 7777 * 3, 4242 * 2 and 1111 * 9, had they been run (as a number of
        # its own: folium's random element ids are hex, and held "8484" once):
        for evaluated in (RUN, "8484", "9999"):
            assert not re.search(rf"(?<!\w){evaluated}(?!\w)", html), evaluated
        assert "7777 * 3" in html  # the name itself is still there, as text
    board = documents[0]
    labels = [str(x["properties"]) for x in features_of(board)]
    assert any("&#123;&#123; 7777 * 3 &#125;&#125;" in label for label in labels)  # the line
    assert any("&#123;&#123; 4242 * 2 &#125;&#125;" in label for label in labels)  # the site
