"""The team's resource pages: GOV.UK-style forms that keep what was typed."""

from __future__ import annotations

from matching.models import Resource
from tests import factories as f


def test_a_bad_form_shows_an_error_summary_linking_to_each_field(personas, client):
    client.force_login(personas.alice)
    response = client.post(
        "/team/matching/resources/new/",
        {
            "title": "Small grants",
            "kind": "seed_funding",
            "capacity": "5000",
            "min_award": "600",
            "max_award": "500",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'href="#id_max_award"' in html
    assert "The largest award must be at least the smallest award." in html
    assert 'value="Small grants"' in html  # keeps what was typed
    assert 'aria-describedby="id_max_award_helptext id_max_award_error"' in html
    assert not Resource.objects.exists()


def test_a_missing_choice_links_to_the_first_radio(personas, client):
    client.force_login(personas.alice)
    html = client.post("/team/matching/resources/new/", {"title": "x"}).content.decode()
    assert 'href="#id_kind_0"' in html
    assert "<legend>What kind of backing is it?</legend>" in html


def test_pounds_typed_are_stored_in_pence(personas, client, publish):
    site = f.SiteFactory(anchor=personas.anchor_a, name="Salford Royal")
    client.force_login(personas.alice)
    response = client.post(
        "/team/matching/resources/new/",
        {
            "title": "Small grants",
            "kind": "seed_funding",
            "capacity": "10000",
            "max_award": "150.50",
            "radius_site": site.pk,
            "radius_m": "3000",
            "active": "on",
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.capacity, resource.max_award, resource.radius_m) == (1_000_000, 15_050, 3000)
    listing = client.get("/team/matching/resources/").content.decode()
    assert "£10,000" in listing


def test_editing_shows_pounds_and_saves(proposal, client, publish):
    client.force_login(proposal.alice)
    url = f"/team/matching/resources/{proposal.resource.pk}/"
    assert 'value="10000.0"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Renamed chest",
            "kind": "seed_funding",
            "capacity": "12000",
            "radius_site": proposal.resource.radius_site_id,
            "radius_m": "5000",
            "active": "on",
        },
    )
    assert response.status_code == 302
    proposal.resource.refresh_from_db()
    assert (proposal.resource.title, proposal.resource.capacity) == ("Renamed chest", 1_200_000)


def test_the_pages_have_no_inline_script_or_style(personas, client):
    client.force_login(personas.alice)
    html = client.get("/team/matching/resources/new/").content.decode()
    assert "<script>" not in html and "style=" not in html
