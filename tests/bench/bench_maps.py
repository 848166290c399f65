"""Benchmarks of the maps (make bench): build time, HTML size, cache hits and
time to ready in headless Chromium. Plain script; prints medians.

Targets (issue "Maps and the board", item 9):
  Salford board map, 1,000 groups: build <= 0.2 s, <= 1 MB, cache hit <= 20 ms,
    ready in Chromium <= 1 s
  a region of ~1,700 neighbourhoods: <= 1 s, <= 5 MB, ready <= 1.5 s
  national view (never LSOAs: aggregated to 6,791 MSOAs): <= 3 s, <= 8 MB, ready <= 3 s
  100,000 groups as points: <= 0.5 s, <= 3 MB

Salford comes from places/data. The region and the national view go through
the board's own code path (load_places into a scratch SQLite database in
memory, prepare_map_geometry, then the frame view the board page embeds, with
the level chosen as for a user): they read England's LSOAs, IMD 2019 and
population from /work/shared/data (BACKER_SHARED_DATA) and say so plainly
when those files are absent.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from maps import builders  # noqa: E402

SHARED = Path(os.environ.get("BACKER_SHARED_DATA", "/work/shared/data"))
CHROMIUM = Path("/usr/bin/chromium")
RNG = np.random.default_rng(20261123)


def median_time(work: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report(name: str, seconds: float, size: int | None = None, target: str = "") -> None:
    size_text = f"{size / 1e6:6.2f} MB" if size is not None else " " * 9
    print(f"{name:<48} {seconds * 1000:8.1f} ms  {size_text}  {target}")


def assets() -> builders.MapAssets:
    from maps.cache import map_assets

    return map_assets()


def synthetic_figures(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    n = len(frame)
    frame = frame.copy()
    if "imd_decile" not in frame:
        frame["imd_decile"] = pd.array(RNG.integers(1, 11, n), dtype="Int64")
    frame["active_matches"] = RNG.poisson(1.2, n)
    frame["pence_awarded"] = frame["active_matches"] * 25_000
    frame["pounds_awarded"] = frame["pence_awarded"].map(lambda p: f"£{p // 100:,}")
    frame["hours_given"] = RNG.poisson(4, n)
    frame["groups_registered"] = RNG.poisson(3, n)
    frame["home_groups"] = "0"
    frame["is_gap"] = (frame["imd_decile"] <= 3).fillna(False) & (frame["active_matches"] == 0)
    return frame


def synthetic_groups(frame: gpd.GeoDataFrame, count: int) -> pd.DataFrame:
    min_x, min_y, max_x, max_y = frame.total_bounds
    return pd.DataFrame(
        {
            "lat": RNG.uniform(min_y, max_y, count),
            "lon": RNG.uniform(min_x, max_x, count),
            "name": [f"Group {i}" for i in range(count)],
            "theme_name": [f"Theme {i % 8}" for i in range(count)],
            "theme_position": [i % 8 for i in range(count)],
        }
    )


def sites_and_lines(frame: gpd.GeoDataFrame, groups: pd.DataFrame) -> tuple[pd.DataFrame, ...]:
    centre = frame.total_bounds
    sites = pd.DataFrame(
        {
            "lat": RNG.uniform(centre[1], centre[3], 6),
            "lon": RNG.uniform(centre[0], centre[2], 6),
            "name": [f"Site {i}" for i in range(6)],
            "anchor": ["Trust"] * 6,
        }
    )
    backed = groups.sample(min(300, len(groups)), random_state=1)
    lines = pd.DataFrame(
        {
            "from_lat": sites["lat"].iloc[np.arange(len(backed)) % 6].to_numpy(),
            "from_lon": sites["lon"].iloc[np.arange(len(backed)) % 6].to_numpy(),
            "to_lat": backed["lat"].to_numpy(),
            "to_lon": backed["lon"].to_numpy(),
            "site": ["Site"] * len(backed),
            "to_label": backed["name"].to_numpy(),
            "matches": 1,
        }
    )
    return sites, lines


def board_html(frame: gpd.GeoDataFrame, groups: pd.DataFrame) -> str:
    sites, lines = sites_and_lines(frame, groups)
    folium_map = builders.board_map_build(
        neighbourhoods=frame, groups=groups, sites=sites, lines=lines, assets=assets()
    )
    return builders.map_html_render(folium_map)


def display(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    seconds, geometry = median_time(
        lambda: builders.geometry_for_display(frame.geometry.values, tolerance=tolerance), 1
    )
    report(f"  display geometry ({len(frame):,}), once per version", seconds)
    return frame.set_geometry(gpd.GeoSeries(geometry, crs="EPSG:4326", index=frame.index))


def salford() -> gpd.GeoDataFrame:
    frame = gpd.read_file(ROOT / "places/data/salford_lsoa21_boundaries.geojson")
    imd = pd.read_csv(ROOT / "places/data/imd2025_salford_lsoa21.csv")
    frame = frame.merge(imd[["lsoa21cd", "imd_decile"]], on="lsoa21cd")
    frame = frame.rename(columns={"lsoa21cd": "code", "lsoa21nm": "name"})
    frame["imd_decile"] = frame["imd_decile"].astype("Int64")
    return display(frame[["code", "name", "imd_decile", "geometry"]], 0.0001)


def chromium_ready(html: str) -> tuple[float, float] | None:
    """Median seconds from navigation to the map's ready flag, and to its
    complete flag (assets inlined, from a file: no server in the measurement).

    Ready (data-map-ready="1", then one animation frame): the map, its
    neighbourhoods, sites and lines are drawn and it answers input. Complete
    (data-map-complete="1"): the deferred layers too, i.e. every group cluster
    holds all its markers (map_frame.js, BackerMap.defer). Both are measured
    from the same navigation."""
    if not CHROMIUM.exists():
        print("  chromium: /usr/bin/chromium is absent; skipped")
        return None
    from playwright.sync_api import sync_playwright

    from maps.cache import _static_text

    standalone = builders.html_inline_assets(html, read=_static_text)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        path = Path(folder) / "map.html"
        path.write_text(standalone, encoding="utf-8")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        times, completes = [], []
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("html[data-map-ready='1']", state="attached", timeout=60_000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            times.append(time.perf_counter() - start)
            # Ready must mean drawn (issue 10 measured maps with no polygons).
            drawn = page.evaluate(DRAWN_JS)
            page.wait_for_selector("html[data-map-complete='1']", state="attached", timeout=60_000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            completes.append(time.perf_counter() - start)
            page.close()
        browser.close()
    print(f"  polygons drawn on the map at ready: {drawn[0]:,} of {drawn[1]:,} areas")
    if drawn[0] != drawn[1]:
        raise SystemExit("the map was ready with areas not drawn: the figures would be wrong")
    return statistics.median(times), statistics.median(completes)


# Shaded polygons on the map (map.eachLayer), and the features of the layer.
DRAWN_JS = """() => {
  let n = 0;
  window.backer.map.eachLayer(l => { if (window.backer.neighbourhoods.hasLayer(l)) { n += 1; } });
  return [n, window.backer.neighbourhoods.getLayers().length];
}"""


def report_ready(name: str, html: str, target: str) -> None:
    measured = chromium_ready(html)
    if measured is not None:
        ready, complete = measured
        report(f"{name} ready in headless Chromium", ready, None, target)
        report(f"{name} complete (groups clustered too)", complete, None)


def cache_hit() -> None:
    """The real path: the Salford demo data loaded into a scratch database,
    1,000 groups, the frame view cold then from the cache."""
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.roles import BOARD
    from partners.models import AnchorMembership, CommunityGroup, VerificationStatus
    from places.models import Neighbourhood
    from places.services import demo_sources, places_load
    from tests import factories as f

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, serialize=False)
    places_load(**demo_sources())
    places = list(Neighbourhood.objects.values_list("id", "point_lat", "point_lon"))
    CommunityGroup.objects.bulk_create(
        CommunityGroup(
            name=f"Group {i}",
            neighbourhood_id=places[i % len(places)][0],
            latitude=places[i % len(places)][1] + RNG.uniform(-0.002, 0.002),
            longitude=places[i % len(places)][2] + RNG.uniform(-0.002, 0.002),
            meets_at_home=i % 10 == 0,
            consent_public=True,
            status=VerificationStatus.VERIFIED,
        )
        for i in range(1000)
    )
    anchor = f.AnchorFactory(slug="bench")
    user = f.UserFactory(username="bench-board")
    user.groups.add(Group.objects.get(name=BOARD))
    AnchorMembership.objects.create(user=user, anchor=anchor, role="board")
    client = Client()
    client.force_login(user)
    cache.clear()
    start = time.perf_counter()
    cold = client.get("/board/map/frame/")
    report("Salford (real path) frame view, cold", time.perf_counter() - start, len(cold.content))
    seconds, warm = median_time(lambda: client.get("/board/map/frame/"), 20)
    assert warm.status_code == 200
    report("Salford (real path) frame view, cached", seconds, len(warm.content), "target 20 ms")


ENGLAND_LSOA11 = SHARED / "england_lsoa11_boundaries_simplified.geojson.gz"
ENGLAND_IMD2019 = SHARED / "imd2019_lsoa11_england.csv"
ENGLAND_POPULATION = SHARED / "population_mid2020_lsoa11_england.csv"
# Greater Manchester: Bolton (E08000001) to Wigan (E08000010), 1,673 LSOAs (2011).
GREATER_MANCHESTER = {f"E080000{n:02d}" for n in range(1, 11)}


def _england_data() -> dict[str, Any]:
    """England's LSOAs loaded as a user would, the map geometry prepared, and
    an invented board's worth of data: 3,000 groups in Greater Manchester and
    2,000 elsewhere, 300 backed by a Greater Manchester anchor (whose service
    area is its 1,673 LSOAs) and 300 by a national one."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.roles import BOARD
    from maps.display import display_geometry_prepare
    from matching.models import Match, MatchStatus, Resource
    from partners.models import (
        Activity,
        AnchorMembership,
        CommunityGroup,
        Need,
        NeedKind,
        Site,
        VerificationStatus,
    )
    from places.loading import BoundarySource, DeprivationSource, PopulationSource
    from places.models import Neighbourhood
    from places.services import places_load
    from tests import factories as f

    # The Salford rows of cache_hit() make way: the maps draw the most detailed
    # kind loaded, and LSOA 2021 would win over England's LSOA 2011.
    CommunityGroup.objects.all().delete()
    Neighbourhood.objects.all().delete()
    started = time.perf_counter()
    places_load(
        boundaries=BoundarySource(
            path=ENGLAND_LSOA11, kind="lsoa11", code_column="lsoa11cd", name_column="lsoa11nm"
        ),
        deprivation=DeprivationSource(path=ENGLAND_IMD2019, code_column="lsoa11cd", edition="2019"),
        population=PopulationSource(
            path=ENGLAND_POPULATION, code_column="lsoa11cd", population_column="total_population"
        ),
    )
    report("  load_places England (32,844 LSOAs), load time", time.perf_counter() - started)
    started = time.perf_counter()
    prepared = display_geometry_prepare()
    report(
        "  prepare_map_geometry (3 levels), load time",
        time.perf_counter() - started,
        None,
        ", ".join(f"{n:,} {level}" for level, n in prepared.areas.items()),
    )

    hoods = list(Neighbourhood.objects.values_list("id", "la_code", "point_lat", "point_lon"))
    gm = [h for h in hoods if h[1] in GREATER_MANCHESTER]
    rest = [h for h in hoods if h[1] not in GREATER_MANCHESTER]
    places = [gm[i] for i in RNG.integers(0, len(gm), 3000)] + [
        rest[i] for i in RNG.integers(0, len(rest), 2000)
    ]
    groups = CommunityGroup.objects.bulk_create(
        CommunityGroup(
            name=f"Group {i}",
            neighbourhood_id=hood_id,
            latitude=lat + RNG.uniform(-0.001, 0.001),
            longitude=lon + RNG.uniform(-0.001, 0.001),
            meets_at_home=i % 10 == 0,
            consent_public=True,
            status=VerificationStatus.VERIFIED,
        )
        for i, (hood_id, _la, lat, lon) in enumerate(places)
    )
    region = f.AnchorFactory(slug="gm", name="Greater Manchester Test Trust")
    region.service_area.set([h[0] for h in gm])
    nation = f.AnchorFactory(slug="england", name="England Test Partnership")
    user = f.UserFactory(username="bench-england-board")
    user.groups.add(Group.objects.get(name=BOARD))
    now = timezone.now()
    for anchor, members in ((region, groups[:3000]), (nation, groups[3000:])):
        AnchorMembership.objects.create(user=user, anchor=anchor, role="board")
        for n, group in enumerate(members[:6]):
            Site.objects.create(
                anchor=anchor, name=f"Site {n}", latitude=group.latitude, longitude=group.longitude
            )
        resource = Resource.objects.create(
            anchor=anchor, kind=NeedKind.SEED_FUNDING, title="Pot", capacity=10**9
        )
        backed = [members[int(i)] for i in RNG.choice(len(members), 300, replace=False)]
        activities = Activity.objects.bulk_create(
            Activity(group=group, title="Lunch club") for group in backed
        )
        needs = Need.objects.bulk_create(
            Need(activity=a, kind=NeedKind.SEED_FUNDING, amount=25_000) for a in activities
        )
        Match.objects.bulk_create(
            Match(
                need=need,
                resource=resource,
                amount=25_000,
                status=MatchStatus.ACTIVE,
                reviewed_at=now,
            )
            for need in needs
        )
    return {"user": user}


def _frame_view(name: str, query: str, client: Any, targets: tuple[str, str]) -> None:
    """The frame view the board page embeds: cold in a new process, cold
    cache with the geometry in memory, cached; then ready in Chromium."""
    from django.core.cache import cache

    from maps import display

    url = "/board/map/frame/" + query
    display._forget()
    cache.clear()
    start = time.perf_counter()
    first = client.get(url)
    report(f"{name}: first request of a process", time.perf_counter() - start, len(first.content))

    def cold() -> Any:
        cache.clear()
        return client.get(url)

    seconds, response = median_time(cold, 3)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    report(f"{name} build + render (cache cold)", seconds, len(response.content), targets[0])
    seconds, _ = median_time(lambda: client.get(url), 20)
    report(f"{name} served from the cache", seconds)
    page_seconds, page = median_time(lambda: client.get("/board/map/" + query), 3)
    level = page.context["level"]
    report(
        f"{name} page with its table ({level.areas:,} {level.level} rows)",
        page_seconds,
        len(page.content),
    )
    report_ready(name, html, targets[1])


def england_real_path() -> None:
    print("Region and national views: the board's own code path, England's LSOAs loaded")
    missing = [p for p in (ENGLAND_LSOA11, ENGLAND_IMD2019, ENGLAND_POPULATION) if not p.exists()]
    if missing:
        print(f"  {', '.join(str(p) for p in missing)} absent; region and national skipped")
        return
    from django.test import Client

    data = _england_data()
    client = Client()
    client.force_login(data["user"])
    _frame_view(
        "region (1,673 LSOAs, ?anchor=gm)",
        "?anchor=gm",
        client,
        ("target 1 s, 5 MB", "target 1.5 s"),
    )
    _frame_view(
        "national (all anchors: auto level)",
        "",
        client,
        ("target 3 s, 8 MB", "target 3 s"),
    )


def main() -> None:
    print(f"{'benchmark (median)':<48} {'time':>11}  {'size':>9}")
    print("Salford, 161 LSOAs, 1,000 groups")
    frame = synthetic_figures(salford())
    groups = synthetic_groups(frame, 1000)
    seconds, html = median_time(lambda: board_html(frame, groups))
    report("Salford board map build + render", seconds, len(html.encode()), "target 0.2 s, 1 MB")
    report_ready("Salford", html, "target 1 s")
    cache_hit()

    england_real_path()

    print("100,000 groups as points (FastMarkerCluster)")
    points = synthetic_groups(frame, 100_000)
    empty = frame.iloc[0:0]
    no_sites = pd.DataFrame(columns=["lat", "lon", "name", "anchor"])
    no_lines = pd.DataFrame(
        columns=["from_lat", "from_lon", "to_lat", "to_lon", "site", "to_label", "matches"]
    )

    def points_html() -> str:
        folium_map = builders.board_map_build(
            neighbourhoods=empty, groups=points, sites=no_sites, lines=no_lines, assets=assets()
        )
        return builders.map_html_render(folium_map)

    seconds, html = median_time(points_html, 3)
    report("100,000 points build + render", seconds, len(html.encode()), "target 0.5 s, 3 MB")


if __name__ == "__main__":
    main()
