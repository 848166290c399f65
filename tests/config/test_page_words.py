"""Every role's main pages read as words people use (issue #11, item 7).

One test per role reads the visible text of its main pages through the test
client and checks it for what a person would stumble over: a stored enum value
shown raw ("seed_funding", "one_off"), a count with the wrong noun ("1 features"),
or a number in the engine's notation ("1.3e-16"); and, anywhere on the page, the
spelling "e-mail" where we write "email" (GOV.UK style), which two more tests
keep out of every template (pages, email subjects and bodies) and every string
written in Python (messages, labels, help texts). The data holds ones on purpose
(one feature, one introduction, one proposal) so that singulars are shown.
"""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from matching.models import MatchRun, MatchStatus, RunStatus, UnmatchedNeed
from partners.models import CommunityGroup, NeedKind, VerificationStatus
from tests import factories as f

# Nouns the pages count: after "1" each must be singular.
PLURALS = [
    "groups",
    "matches",
    "features",
    "introductions",
    "hours",
    "sessions",
    "rows",
    "services",
    "neighbourhoods",
    "proposals",
    "activities",
    "needs",
    "runs",
    "organisations",
    "sites",
    "resources",
    "people",
    "spots",
    "days",
    "grants",
    "areas",
    "members",
    "rounds",
    "answers",
]
ONE_PLURAL = re.compile(r"(?<![\d.,£])\b1 (" + "|".join(PLURALS) + r")\b")
SCIENTIFIC = re.compile(r"\b\d(?:\.\d+)?e[-+]\d+\b")
# One spelling, GOV.UK's: "email" (and "emailed"), never "e-mail".
OLD_SPELLING = re.compile(r"\be-mail", re.IGNORECASE)
ROOT = Path(__file__).resolve().parents[2]
APPS = {
    "accounts",
    "assessment",
    "board",
    "config",
    "grants",
    "maps",
    "matching",
    "partners",
    "places",
}


def stored_snake_values() -> set[str]:
    """Every stored choice value of our models written in snake_case ("one_off")."""
    values: set[str] = set()
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in {"partners", "matching", "grants", "places"}:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or ():
                if isinstance(value, str) and "_" in value:
                    values.add(value)
    return values


class _MainText(HTMLParser):
    """The text a person reads in <main> (or, ``everywhere``, in the whole page:
    its title, menu and footer too): no scripts, styles or attributes."""

    def __init__(self, *, everywhere: bool = False) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 1 if everywhere else 0
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "main"
        self.hidden += tag in ("script", "style")
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "main"
        self.hidden -= tag in ("script", "style")
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.depth and not self.hidden:
            self.parts.append(data)


def main_text(html: str, *, everywhere: bool = False) -> str:
    parser = _MainText(everywhere=everywhere)
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def stumbles(text: str, snake: set[str]) -> list[str]:
    words = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text))
    found = [f"raw value {value!r}" for value in sorted(words & snake)]
    found += [f"{m.group(0)!r}" for m in ONE_PLURAL.finditer(text)]
    found += [f"notation {m.group(0)!r}" for m in SCIENTIFIC.finditer(text)]
    return found


def misspellings(text: str) -> list[str]:
    """Each "e-mail" (or "E-mail", "e-mailed") in ``text``, with its neighbours."""
    return [
        f"spelling {m.group(0)!r} in {text[max(m.start() - 20, 0) : m.end() + 20].strip()!r}"
        for m in OLD_SPELLING.finditer(text)
    ]


@pytest.fixture
def cast(personas):  # type: ignore[no-untyped-def]
    """Ones everywhere (one feature offered, one introduction asked, one proposal),
    and a need whose kind is stored in snake_case (seed_funding)."""
    features = f.ResourceFactory(
        anchor=personas.anchor_a, kind=NeedKind.PROFILE, title="Newsletter", capacity=1
    )
    intros = f.ResourceFactory(
        anchor=personas.anchor_a, kind=NeedKind.CONNECTIONS, title="Introductions", capacity=1
    )
    activity = f.ActivityFactory(group=personas.group_a, title="Lunch club", themes=["food"])
    feature_need = f.NeedFactory(activity=activity, kind=NeedKind.PROFILE, amount=1)
    intro_need = f.NeedFactory(activity=activity, kind=NeedKind.CONNECTIONS, amount=1)
    money_need = f.NeedFactory(activity=activity, kind=NeedKind.SEED_FUNDING)
    run = MatchRun.objects.create(
        anchor=personas.anchor_a,
        status=RunStatus.SUCCEEDED,
        progress=100,
        progress_message="Finished",
        objective=0.5,
        counts={"needs": 1, "resources": 1, "proposals": 1, "amount_per_kind": {"profile": 1}},
        parameters={"proven_gap": 1.3e-16, "optimal": True},
        timings={"total": 0.1},
    )
    proposed = f.MatchFactory(need=feature_need, resource=features, run=run, amount=1)
    # "Why not us?": a reason with its facts, on the run page and the group's.
    UnmatchedNeed.objects.create(
        run=run,
        need=money_need,
        reason="out_of_reach",
        rank=1,
        params={"resource_id": features.pk, "distance_m": 12_345.0, "reach_m": 10_000.0},
    )
    offered = f.MatchFactory(
        need=intro_need, resource=intros, status=MatchStatus.APPROVED, amount=1
    )
    f.CommunityGroupFactory(name="Waiting Group", status=VerificationStatus.PENDING)
    # sam's supplier pledged one feature, offered to group_a (and delivered once).
    pledge = f.ResourceFactory(
        anchor=personas.anchor_a,
        supplier=personas.supplier_a,
        kind=NeedKind.PROFILE,
        title="Brightwater feature",
        capacity=1,
    )
    pledged = f.MatchFactory(
        need=f.NeedFactory(activity=activity, kind=NeedKind.PROFILE, amount=1),
        resource=pledge,
        status=MatchStatus.APPROVED,
        amount=1,
    )
    pledged.events.create(from_status="proposed", to_status="approved")
    personas.pledged_match = pledged
    # One group due for its yearly re-check, and out for missing it.
    stale = f.CommunityGroupFactory(name="Unchecked Group")
    CommunityGroup.objects.filter(pk=stale.pk).update(
        last_checked_at=timezone.now() - timedelta(days=400)
    )
    return personas, run, proposed, offered


def _pages(role: str, personas, run, proposed) -> list[str]:  # type: ignore[no-untyped-def]
    group = personas.group_a.pk
    return {
        "public": ["/", "/directory/", f"/directory/{group}/", "/register/", "/sign-in/"],
        "group": ["/group/", f"/group/{group}/", "/group/offers/", "/group/why-not/"],
        "team": [
            "/team/groups/queue/",
            "/team/groups/",
            f"/team/groups/{group}/",
            "/team/matching/",
            f"/team/matching/matches/{proposed.pk}/",
            "/team/matching/runs/",
            f"/team/matching/runs/{run.pk}/",
            "/team/matching/resources/",
            "/team/sites/",
            "/team/suppliers/",
            "/team/rechecks/",
            "/team/grants/import/",
            "/team/outreach/",
        ],
        "board": ["/board/", "/board/report/", "/board/matching/", "/board/self-assessment/"],
        "supplier": [
            "/supplier/",
            "/supplier/resources/new/",
            f"/supplier/matches/{personas.pledged_match.pk}/",
        ],
    }[role]


@pytest.mark.parametrize("role", ["public", "group", "team", "board", "supplier"])
def test_each_roles_pages_show_no_raw_values_wrong_plurals_or_engine_notation(role, cast, client):  # type: ignore[no-untyped-def]
    personas, run, proposed, _offered = cast
    user = {
        "public": None,
        "group": personas.dave,
        "team": personas.alice,
        "supplier": personas.sam,
    }.get(role, personas.carol)
    if user is not None:
        client.force_login(user)
    snake = stored_snake_values()
    assert {"seed_funding", "one_off"} <= snake
    problems = []
    for url in _pages(role, personas, run, proposed):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        text = main_text(html)
        assert len(text) > 40, url
        problems += [f"{url}: {problem}" for problem in stumbles(text, snake)]
        problems += [
            f"{url}: {problem}" for problem in misspellings(main_text(html, everywhere=True))
        ]
    assert not problems, problems


def test_the_scan_finds_what_it_looks_for():
    snake = {"seed_funding"}
    assert stumbles("Proposed: seed_funding. 1 features. Within 1.3e-16.", snake) == [
        "raw value 'seed_funding'",
        "'1 features'",
        "notation '1.3e-16'",
    ]
    assert stumbles("£1 features; 1 feature; 21 features; 0.1 hours", snake) == []
    found = misspellings("We will E-mail you; it is e-mailed. Email us.")
    assert [problem.split(" in ")[0] for problem in found] == [
        "spelling 'E-mail'",
        "spelling 'e-mail'",
    ]
    assert misspellings("Email, emailed, email address") == []


def test_no_template_spells_it_e_mail():
    """Pages, e-mail subjects and bodies all come from templates: none says
    "e-mail", so no page or message a person reads can."""
    templates = [
        path
        for path in ROOT.glob("*/templates/**/*")
        if path.suffix in (".html", ".txt") and ".venv" not in path.parts
    ]
    assert len(templates) > 100
    assert any(p.name == "offer_body.txt" for p in templates)
    found = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in templates
        for problem in misspellings(path.read_text(encoding="utf-8"))
    ]
    assert not found, found


def _docstrings(tree: ast.AST) -> set[int]:
    holders = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, holders)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_no_message_written_in_python_spells_it_e_mail():
    """Error messages, form labels and help texts, import notes and log lines
    written in Python (its strings: not comments or docstrings) say "email"."""
    found = []
    modules = 0
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in APPS or "migrations" in relative.parts:
            continue
        modules += 1
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        found += [
            f"{relative}:{node.lineno}: {problem}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            for problem in misspellings(node.value)
        ]
    assert modules > 100
    assert not found, found
