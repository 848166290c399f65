"""The resources API: anchor teams manage their own resources."""

from __future__ import annotations

from matching.models import Resource


def _body(personas, **over):  # type: ignore[no-untyped-def]
    return {
        "anchor": "anchor-a",
        "kind": "seed_funding",
        "title": "Small grants",
        "capacity": 500_000,
        "min_award": 5_000,
        "max_award": 50_000,
        "themes": ["food"],
        "eligible_neighbourhoods": [personas.group_a.neighbourhood.code],
        **over,
    }


def test_a_team_creates_a_resource_in_pence(personas, client, publish):
    client.force_login(personas.alice)
    response = client.post("/api/resources/", _body(personas), content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["capacity"], data["allocated"], data["remaining"], data["unit"]) == (
        500_000,
        0,
        500_000,
        "pence",
    )
    assert Resource.objects.get().themes.get().slug == "food"


def test_a_smallest_award_above_the_largest_is_a_400_with_a_reason(personas, client):
    client.force_login(personas.alice)
    response = client.post(
        "/api/resources/", _body(personas, min_award=60_000), content_type="application/json"
    )
    assert response.status_code == 400
    assert "max_award" in response.json()["extra"]["fields"]


def test_allocated_cannot_be_set_through_the_api(personas, client, publish):
    # Read-only: refused with the reason (it used to be ignored, and the rest saved).
    client.force_login(personas.alice)
    response = client.post(
        "/api/resources/", _body(personas, allocated=400_000), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["extra"]["read_only"] == ["allocated"]
    assert not Resource.objects.exists()


def test_capacity_cannot_drop_below_what_is_allocated(personas, client, publish):
    client.force_login(personas.alice)
    created = client.post(
        "/api/resources/", _body(personas), content_type="application/json"
    ).json()
    Resource.objects.filter(pk=created["id"]).update(allocated=300_000)
    response = client.patch(
        f"/api/resources/{created['id']}/", {"capacity": 100_000}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "capacity" in response.json()["extra"]["fields"]


def test_a_resource_with_matches_is_kept_not_deleted(proposal, client):
    client.force_login(proposal.alice)
    response = client.delete(f"/api/resources/{proposal.resource.pk}/")
    assert response.status_code == 400
    assert Resource.objects.filter(pk=proposal.resource.pk).exists()


def test_an_unknown_resource_is_a_404_in_the_error_shape(personas, client):
    client.force_login(personas.alice)
    response = client.get("/api/resources/999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}


def test_the_list_filters_by_kind(personas, client, publish):
    client.force_login(personas.alice)
    client.post("/api/resources/", _body(personas), content_type="application/json")
    client.post(
        "/api/resources/",
        _body(personas, kind="time", title="Hours", capacity=40, min_award=0, max_award=0),
        content_type="application/json",
    )
    titles = [r["title"] for r in client.get("/api/resources/?kind=time").json()["results"]]
    assert titles == ["Hours"]
