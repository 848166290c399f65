"""Every board figure on every page equals an independent pandas computation.

The figures are defined once (maps.figures.FIGURE_DEFINITIONS). This test
reads the raw rows through the ORM and computes each figure again with
pandas from those words, never calling the product's figure functions, then
compares with what the pages print: the dashboard's headline, decile table,
months table and table of areas reached, the same on the printable report,
and the board map's table, across periods, anchors, themes and levels.

The fixture has backdated, completed and closed matches, time given in hours
a month and expertise in hours, backing outside an anchor's service area and
of a group with no neighbourhood, groups of every status (some meeting at
home, one withdrawn) and population loaded.
"""

from __future__ import annotations

import datetime
import random
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching.models import Match, MatchStatus
from partners.models import Activity, Anchor, CommunityGroup, NeedKind
from places.models import Neighbourhood
from tests import factories as f

pytestmark = pytest.mark.django_db

TAKEN_UP = {"accepted", "active", "completed"}
ACTIVE = {"accepted", "active"}
CLOSED = {"declined", "withdrawn", "expired"}
PERIODS = ["all", "3m", "12m", "fy"]
HOODS = [
    # name, LA code, LA name, decile, population
    ("Salford 001A", "E08000006", "Salford", 1, 1800),
    ("Salford 001B", "E08000006", "Salford", 1, 1500),
    ("Salford 002A", "E08000006", "Salford", 2, 1200),
    ("Salford 002B", "E08000006", "Salford", 5, 1650),
    ("Salford 003A", "E08000006", "Salford", 9, 2000),
    ("Trafford 001A", "E08000009", "Trafford", 3, 1400),
    ("Trafford 001B", "E08000009", "Trafford", 7, 1300),
    ("Trafford 002A", "E08000009", "Trafford", 10, 1900),
]
KINDS = [NeedKind.SEED_FUNDING, NeedKind.TIME, NeedKind.EXPERTISE, NeedKind.SPACE]


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    rng = random.Random(17)
    today = timezone.localdate()
    hoods = [
        f.NeighbourhoodFactory(
            name=name,
            msoa_name=name[:-1],
            la_code=la,
            la_name=la_name,
            imd_decile=decile,
            population=population,
        )
        for name, la, la_name, decile, population in HOODS
    ]
    a = f.AnchorFactory(slug="fig-a", name="Figures Trust A")
    b = f.AnchorFactory(slug="fig-b", name="Figures Housing B")
    a.service_area.set(hoods[:5])  # Salford; B has no service area
    resources = {
        (anchor.pk, kind): f.ResourceFactory(anchor=anchor, kind=kind, capacity=10**9)
        for anchor in (a, b)
        for kind in KINDS
    }
    groups = [f.CommunityGroupFactory(neighbourhood=rng.choice(hoods)) for _ in range(14)]
    groups += [f.CommunityGroupFactory(neighbourhood=hoods[0], meets_at_home=True)]
    groups += [f.CommunityGroupFactory(neighbourhood=hoods[5], meets_at_home=True)]
    groups += [f.CommunityGroupFactory(neighbourhood=None, outside_area=True)]
    for status in ("pending", "pending", "rejected", "suspended"):
        f.CommunityGroupFactory(neighbourhood=rng.choice(hoods), status=status)
    f.CommunityGroupFactory(neighbourhood=hoods[1], withdrawn_at=timezone.now())
    activities = [
        f.ActivityFactory(
            group=group,
            themes=rng.choice([["food"], ["loneliness-and-isolation"], ["food", "mental-health"]]),
        )
        for group in groups
    ]
    for _ in range(70):
        kind = rng.choice(KINDS)
        anchor = rng.choice([a, b])
        amount = rng.randrange(1, 60) * (100 if kind == NeedKind.SEED_FUNDING else 1)
        status = rng.choice(list(MatchStatus.values) + ["active", "accepted", "completed"] * 2)
        need = f.NeedFactory(activity=rng.choice(activities), kind=kind, amount=amount)
        dated = today - datetime.timedelta(days=rng.randrange(0, 700))
        when: dict[str, object] = {}
        if status != "proposed":
            when["reviewed_at"] = noon(dated - datetime.timedelta(days=2))
            if rng.random() < 0.8:  # some decided by the team only: dated when reviewed
                when["responded_at"] = noon(dated)
        if status == "completed":
            when["completed_at"] = noon(
                min(today, dated + datetime.timedelta(rng.randrange(1, 250)))
            )
        f.MatchFactory(
            need=need,
            resource=resources[(anchor.pk, kind)],
            amount=amount,
            status=status,
            **when,
        )
    return {"a": a, "b": b, "today": today}


# --- the independent computation --------------------------------------------------


def period_start_end(
    period: str, today: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    end = today + datetime.timedelta(days=1)
    if period == "3m":
        return today - datetime.timedelta(days=91), end
    if period == "12m":
        return today - datetime.timedelta(days=365), end
    if period == "fy":
        year = today.year if today >= datetime.date(today.year, 4, 1) else today.year - 1
        return datetime.date(year, 4, 1), end
    return None


def local(series: pd.Series) -> pd.Series:
    """Aware datetimes to naive site-time datetimes (NaT kept)."""
    return (
        pd.to_datetime(series, utc=True)
        .dt.tz_convert(ZoneInfo(settings.TIME_ZONE))
        .dt.tz_localize(None)
    )


def matches_frame(today: datetime.date, period: str) -> pd.DataFrame:
    """Every match, with the figures' columns, narrowed to the period."""
    rows = pd.DataFrame(
        list(
            Match.objects.values(
                "id",
                "status",
                "amount",
                "responded_at",
                "reviewed_at",
                "created_at",
                "completed_at",
                kind=models_f("need__kind"),
                anchor=models_f("resource__anchor__slug"),
                activity=models_f("need__activity_id"),
                code=models_f("need__activity__group__neighbourhood__code"),
            )
        )
    )
    dated = (
        local(rows["responded_at"])
        .fillna(local(rows["reviewed_at"]))
        .fillna(local(rows["created_at"]))
    )
    completed = local(rows["completed_at"])
    rows["dated_on"] = dated.dt.date
    rows["completed_on"] = completed.dt.date
    bounds = period_start_end(period, today)
    if bounds is not None:
        start, end = (pd.Timestamp(day) for day in bounds)
        keep = (
            (dated < end)
            & (completed.isna() | (completed >= start))
            & (~rows["status"].isin(CLOSED) | (dated >= start))
        )
        rows = rows[keep].copy()
    first_day = bounds[0] if bounds else None

    def hours(row: pd.Series) -> int:
        if row["kind"] == NeedKind.EXPERTISE:
            return int(row["amount"])
        if row["kind"] != NeedKind.TIME:
            return 0
        begin = max(row["dated_on"], first_day) if first_day else row["dated_on"]
        last = today if pd.isna(row["completed_on"]) else min(row["completed_on"], today)
        return round(row["amount"] * max(0, (last - begin).days) / (365.25 / 12))

    rows["pence"] = rows["amount"].where(rows["kind"] == NeedKind.SEED_FUNDING, 0)
    rows["hours"] = rows.apply(hours, axis=1) if len(rows) else 0
    rows["taken"] = rows["status"].isin(TAKEN_UP)
    rows["active"] = rows["status"].isin(ACTIVE)
    rows["month"] = [
        (max(day, first_day) if first_day else day).replace(day=1) for day in rows["dated_on"]
    ]
    return rows


def models_f(path: str):  # type: ignore[no-untyped-def]
    from django.db.models import F

    return F(path)


def hoods_frame() -> pd.DataFrame:
    return pd.DataFrame(
        list(
            Neighbourhood.objects.values(
                "code", "name", "msoa_name", "la_code", "la_name", "imd_decile", "population"
            )
        )
    )


def area_codes(anchor_slugs: list[str]) -> set[str]:
    """Every anchor's service area if all have one, else every neighbourhood."""
    anchors = Anchor.objects.filter(slug__in=anchor_slugs)
    if all(anchor.service_area.exists() for anchor in anchors):
        return set(Neighbourhood.objects.filter(anchors__in=anchors).values_list("code", flat=True))
    return set(Neighbourhood.objects.values_list("code", flat=True))


def pounds(pence: int) -> str:
    return f"£{pence // 100:,}"


def sums(frame: pd.DataFrame) -> tuple[int, int, str, int]:
    taken = frame[frame["taken"]]
    return (
        len(taken),
        int(taken["active"].sum()),
        pounds(int(taken["pence"].sum())),
        int(taken["hours"].sum()),
    )


# --- reading the pages ------------------------------------------------------------


class Page(HTMLParser):
    """The figures a page prints: <dd data-figure>, <tbody id> rows as cell
    texts, and <tr data-code> rows of the map table by data-field."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.bodies: dict[str, list[list[str]]] = {}
        self.coded: dict[str, dict[str, str]] = {}
        self._figure: str | None = None
        self._body: str | None = None
        self._code: str | None = None
        self._field: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "dd" and a.get("data-figure"):
            self._figure = a["data-figure"]
            self.figures[self._figure] = ""
        if tag == "tbody" and a.get("id"):
            self._body = a["id"]
            self.bodies[self._body] = []
        if tag == "tr":
            self._row = []
            self._code = a.get("data-code")
            if self._code:
                self.coded[self._code] = {}
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._field = a.get("data-field")

    def handle_endtag(self, tag: str) -> None:
        if tag == "dd":
            self._figure = None
        if tag == "tbody":
            self._body = None
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = " ".join("".join(self._cell).split())
            self._row.append(text)
            if self._code and self._field:
                self.coded[self._code][self._field] = text
            self._cell = None
        if tag == "tr" and self._row is not None:
            if self._body:
                self.bodies[self._body].append(self._row)
            self._row = None
            self._code = None

    def handle_data(self, data: str) -> None:
        if self._figure:
            self.figures[self._figure] += data
        if self._cell is not None:
            self._cell.append(data)


def number(text: str) -> int:
    """ "12 (40%)" -> 12, "1,234" -> 1234."""
    return int(text.split(" (")[0].replace(",", ""))


def money(text: str) -> str:
    return text.split(" (")[0]


# --- the dashboard and the report ---------------------------------------------------


def check_board_page(page: Page, *, slugs: list[str], period: str, level: str, today) -> None:  # type: ignore[no-untyped-def]
    everything = matches_frame(today, period)
    rows = everything[everything["anchor"].isin(slugs)]
    taken = rows[rows["taken"]]
    # Headline: matches by status, active backing, pounds, hours, reached, groups.
    by_status = rows["status"].value_counts()
    for status in MatchStatus.values:
        if status in ("declined", "deferred", "withdrawn", "expired"):
            continue
        assert number(page.figures[f"matches_{status}"]) == by_status.get(status, 0), status
    closed = page.figures["matches_closed"]
    for status in ("declined", "deferred", "withdrawn", "expired"):
        assert f"{by_status.get(status, 0)} {status}" in closed, status
    assert number(page.figures["active_backing"]) == int(taken["active"].sum())
    assert number(page.figures["matches_taken_up"]) == len(taken)
    assert page.figures["pounds_awarded"] == pounds(int(taken["pence"].sum()))
    assert number(page.figures["hours_given"]) == int(taken["hours"].sum())
    assert number(page.figures["neighbourhoods_reached"]) == taken["code"].dropna().nunique()
    groups = pd.DataFrame(
        list(
            CommunityGroup.objects.filter(withdrawn_at__isnull=True, erased_at__isnull=True).values(
                "status", "meets_at_home"
            )
        )
    )
    for status in ("verified", "pending", "rejected", "suspended"):
        assert number(page.figures[f"groups_{status}"]) == (groups["status"] == status).sum()
    home = int(((groups["status"] == "verified") & groups["meets_at_home"]).sum())
    assert page.figures["groups_at_home"] == ("fewer than 8" if 0 < home < 8 else str(home))

    # Deciles, over the area; what is outside it on its own row.
    hoods = hoods_frame()
    area = area_codes(slugs)
    inside = taken[taken["code"].isin(area)].merge(hoods[["code", "imd_decile"]], on="code")
    decile_rows = page.bodies["decile-table"]
    assert len(decile_rows) == 11
    for decile, cells in zip(range(1, 11), decile_rows, strict=False):
        part = inside[inside["imd_decile"] == decile]
        in_decile = hoods[hoods["code"].isin(area) & (hoods["imd_decile"] == decile)]
        assert number(cells[1]) == len(in_decile), (decile, cells)
        assert number(cells[2]) == int(in_decile["population"].sum()), (decile, cells)
        got = (number(cells[3]), number(cells[4]), money(cells[5]), number(cells[6]))
        assert got == sums(part.assign(taken=True)), (decile, cells)
    outside = taken[~taken["code"].isin(area)]
    cells = decile_rows[10]
    assert cells[0] == "Outside the service area"
    assert (number(cells[3]), number(cells[4]), cells[5], number(cells[6])) == sums(outside)

    # Months: every match taken up in the period, in its month (or the period's first).
    months = taken.groupby("month").agg(
        matches=("id", "size"), pence=("pence", "sum"), hours=("hours", "sum")
    )
    shown = page.bodies.get("months-table", [])
    if len(taken) == 0:
        assert shown == []
    else:
        index = pd.date_range(min(months.index), max(months.index), freq="MS").date
        months = months.reindex(index, fill_value=0)
        expected = [
            [day.strftime("%B %Y"), f"{m:,}", pounds(p), f"{h:,}"]
            for day, (m, p, h) in zip(
                months.index, months[["matches", "pence", "hours"]].to_numpy(), strict=True
            )
        ]
        assert shown == expected

    # Areas reached, at the level shown, and the outside row.
    column = {"": "code", "neighbourhood": "code", "msoa": "msoa_name", "la": "la_name"}[level]
    reached = inside.merge(hoods[["code", "msoa_name", "la_name"]], on="code")
    expected_areas = {key: sums(part.assign(taken=True)) for key, part in reached.groupby(column)}
    found = {}
    for cells in page.bodies["reached-table"]:
        if cells[0] == "Outside the service area":
            assert (number(cells[2]), number(cells[3]), cells[4], number(cells[5])) == sums(outside)
            continue
        key = re.search(r"\((E\d+)\)$", cells[0]).group(1) if column == "code" else cells[0]  # type: ignore[union-attr]
        found[key] = (number(cells[2]), number(cells[3]), money(cells[4]), number(cells[5]))
    assert found == expected_areas
    if len(outside):
        assert any(cells[0] == "Outside the service area" for cells in page.bodies["reached-table"])


VIEWERS = [
    # who, query, anchors the view covers
    ("board_a", {}, ["fig-a"]),
    ("admin", {"anchor": "fig-b"}, ["fig-b"]),
    ("admin", {}, ["fig-a", "fig-b"]),
]


@pytest.fixture
def users(world):  # type: ignore[no-untyped-def]
    return {
        "board_a": f.member(world["a"], "board", username="fig-board"),
        "admin": f.UserFactory(username="fig-root", is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("page_name", ["board:board", "board:board-report"])
@pytest.mark.parametrize("period", PERIODS)
def test_dashboard_and_report_equal_pandas(client, world, users, page_name, period):  # type: ignore[no-untyped-def]
    for who, query, slugs in VIEWERS:
        levels = ["", "msoa", "la"] if period in ("all", "12m") else [""]
        for level in levels:
            client.force_login(users[who])
            params = {**query, **({"period": period} if period != "all" else {})}
            if level:
                params["level"] = level
            response = client.get(reverse(page_name), params)
            assert response.status_code == 200
            check_board_page(
                Page(response.content.decode()),
                slugs=slugs,
                period=period,
                level=level,
                today=world["today"],
            )


def test_the_fixture_has_what_the_definitions_must_survive(world):  # type: ignore[no-untyped-def]
    rows = matches_frame(world["today"], "all")
    taken = rows[rows["taken"]]
    assert (taken["status"] == "completed").any()
    assert ((taken["kind"] == NeedKind.TIME) & (taken["hours"] > 0)).any()
    assert ((taken["kind"] == NeedKind.EXPERTISE) & (taken["hours"] > 0)).any()
    assert taken["code"].isna().any()  # a group with no neighbourhood
    a_area = area_codes(["fig-a"])
    assert (~taken[taken["anchor"] == "fig-a"]["code"].isin(a_area)).sum() >= 2
    # Backdated: some before the last 12 months, some only partly in it.
    assert len(matches_frame(world["today"], "12m")) < len(rows)


# --- the board map's table -----------------------------------------------------------


@pytest.mark.parametrize("level", ["neighbourhood", "msoa", "la"])
@pytest.mark.parametrize("anchor", ["", "fig-a", "fig-b"])
def test_the_board_map_table_equals_pandas(client, world, users, anchor, level):  # type: ignore[no-untyped-def]
    client.force_login(users["admin"])
    hoods = hoods_frame()
    area = area_codes([anchor]) if anchor else set(hoods["code"])
    column = {"neighbourhood": "code", "msoa": "msoa_name", "la": "la_code"}[level]
    hoods = hoods[hoods["code"].isin(area)]
    activities = pd.DataFrame(list(Activity.objects.values("id", theme=models_f("themes__slug"))))
    groups = pd.DataFrame(
        list(
            CommunityGroup.objects.filter(
                status="verified",
                withdrawn_at__isnull=True,
                erased_at__isnull=True,
                meets_at_home=False,
            ).values(
                "id",
                code=models_f("neighbourhood__code"),
                theme=models_f("activities__themes__slug"),
            )
        )
    )
    for theme in ["", "food"]:
        for period in PERIODS:
            params = {"level": level}
            params.update(
                {
                    k: v
                    for k, v in (("anchor", anchor), ("theme", theme), ("period", period))
                    if v and v != "all"
                }
            )
            response = client.get(reverse("maps:board-map"), params)
            assert response.status_code == 200
            page = Page(response.content.decode())
            rows = matches_frame(world["today"], period)
            if anchor:
                rows = rows[rows["anchor"] == anchor]
            if theme:
                themed = set(activities[activities["theme"] == theme]["id"])
                rows = rows[rows["activity"].isin(themed)]
            taken = rows[rows["taken"]]
            inside = taken[taken["code"].isin(area)].merge(
                hoods[["code", column]].rename(columns={column: "key"})
                if column != "code"
                else hoods[["code"]].assign(key=hoods["code"]),
                on="code",
            )
            shown_groups = groups[groups["theme"] == theme] if theme else groups
            group_counts = (
                shown_groups.drop_duplicates("id")
                .merge(hoods[["code"]].assign(key=hoods[column]), on="code")
                .groupby("key")
                .size()
            )
            keys = set(hoods[column])
            coded = {k: v for k, v in page.coded.items() if k != "outside"}
            assert set(coded) == keys, (theme, period)
            for key in keys:
                part = inside[inside["key"] == key]
                want = sums(part)
                got = coded[key]
                assert (
                    int(got["matches_taken_up"]),
                    int(got["active_matches"]),
                    got["pounds_awarded"],
                    int(got["hours_given"]),
                ) == want, (key, theme, period)
                assert int(got["groups_registered"]) == int(group_counts.get(key, 0)), (key, theme)
            outside = taken[~taken["code"].isin(area)]
            if len(outside):
                got = page.coded["outside"]
                assert (
                    int(got["matches_taken_up"]),
                    int(got["active_matches"]),
                    got["pounds_awarded"],
                    int(got["hours_given"]),
                ) == sums(outside), (theme, period)
            else:
                assert "outside" not in page.coded
