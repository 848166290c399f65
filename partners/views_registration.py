"""Online registration: GOV.UK question pages, answers kept in the session.

Plain forms and redirects, so it all works with JavaScript off. Each page
re-checks the pages before it and sends anyone who skipped ahead back to the
first one not yet answered. The final submit is rate limited per address
and carries a honeypot: a robot sees the same confirmation as a person and
creates nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from partners.forms.registration import (
    ActivityForm,
    CheckForm,
    ContactForm,
    GroupForm,
    NeedForm,
    WhereForm,
)
from partners.models import NEED_KIND_UNITS_ONE, Frequency, GroupKind, NeedKind
from partners.ratelimit import request_limited, setting_rate
from partners.services.registration import (
    CONSENT_WORDING_VERSION,
    group_register,
)

SESSION_KEY = "registration"
DONE_KEY = "registration_done"
# The unit words people see; the stored unit of money is pence (NEED_KIND_UNITS).
AMOUNT_UNITS = {
    NeedKind.PROFILE: "features",
    NeedKind.TIME: "hours a month",
    NeedKind.SPACE: "sessions a month",
    NeedKind.CONNECTIONS: "introductions",
    NeedKind.EXPERTISE: "hours",
}
AMOUNT_UNITS_ONE = {kind: NEED_KIND_UNITS_ONE[kind] for kind in AMOUNT_UNITS}
STEPS = ("group", "where", "activities", "needs", "contact", "check")
T = "partners/registration/"


def page_limited(request: HttpRequest) -> HttpResponse | None:
    """Generous: a person filling in the pages never meets it; a script does."""
    return request_limited(
        request=request,
        scope="register-page",
        rate=setting_rate("BACKER_REGISTRATION_PAGE_RATE", "120/h"),
    )


def _state(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY) or {})


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _url(step: str) -> str:
    return reverse(f"partners:register-{step}")


def activity_choices(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["key"], item["data"].get("title", "")) for item in state.get("activities", [])]


def _need_form(state: dict[str, Any], data: dict[str, Any] | None = None) -> NeedForm:
    return NeedForm(data=data, activity_choices=activity_choices(state))


def _complete(state: dict[str, Any], step: str) -> bool:
    if step in ("group", "where", "contact"):
        form_class = {"group": GroupForm, "where": WhereForm, "contact": ContactForm}[step]
        return step in state and form_class(data=state[step]).is_valid()
    if step == "activities":
        items = state.get("activities", [])
        return bool(items) and all(ActivityForm(data=item["data"]).is_valid() for item in items)
    if step == "needs":
        items = state.get("needs", [])
        return bool(items) and all(_need_form(state, item["data"]).is_valid() for item in items)
    return True


def _guard(request: HttpRequest, step: str) -> HttpResponse | None:
    """Redirect to the first unanswered page before ``step``, if any."""
    state = _state(request)
    for earlier in STEPS[: STEPS.index(step)]:
        if not _complete(state, earlier):
            return redirect(_url(earlier))
    return None


def _next(request: HttpRequest, step: str) -> HttpResponse:
    # "Change" links from the check page come back to it once answered.
    if request.GET.get("change") and _guard(request, "check") is None:
        return redirect(_url("check"))
    return redirect(_url(STEPS[STEPS.index(step) + 1]))


def _page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    context.update(form=form, change=bool(request.GET.get("change")))
    return render(request, T + template, context)


@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    return render(request, T + "start.html")


def _single(request: HttpRequest, step: str, form_class: type, template: str) -> HttpResponse:
    if (guard := _guard(request, step)) is not None:
        return guard
    state = _state(request)
    if request.method == "POST":
        if (limited := page_limited(request)) is not None:
            return limited
        form = form_class(data=request.POST)
        if form.is_valid():
            state[step] = form.raw()
            if step == "contact":
                # Remembered, not acted on: the robot goes on to a normal-looking end.
                state["caught"] = bool(state.get("caught")) or form.caught
            _save(request, state)
            return _next(request, step)
        return _page(request, template, form)
    return _page(request, template, form_class(initial=state.get(step)))


@require_http_methods(["GET", "POST"])
def group(request: HttpRequest) -> HttpResponse:
    return _single(request, "group", GroupForm, "group.html")


@require_http_methods(["GET", "POST"])
def where(request: HttpRequest) -> HttpResponse:
    return _single(request, "where", WhereForm, "where.html")


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    return _single(request, "contact", ContactForm, "contact.html")


def _list_page(
    request: HttpRequest, *, step: str, make_form: Any, template: str, describe: Any
) -> HttpResponse:
    """The "add another" pattern: add one at a time, remove with a button."""
    if (guard := _guard(request, step)) is not None:
        return guard
    state = _state(request)
    items: list[dict[str, Any]] = list(state.get(step, []))
    shown = [{"key": item["key"], "label": describe(state, item["data"])} for item in items]
    if request.method != "POST":
        return _page(request, template, make_form(state, None), items=shown)
    if (limited := page_limited(request)) is not None:
        return limited
    if remove := request.POST.get("remove"):
        state[step] = [item for item in items if item["key"] != remove]
        if step == "activities":
            # A need cannot outlive its activity.
            state["needs"] = [
                n for n in state.get("needs", []) if n["data"].get("activity") != remove
            ]
        _save(request, state)
        return redirect(request.get_full_path())
    form = make_form(state, request.POST)
    adding = request.POST.get("action") == "add"
    if not adding and items and form.is_blank():
        return _next(request, step)
    if not form.is_valid():
        return _page(request, template, form, items=shown)
    items.append({"key": secrets.token_hex(4), "data": form.raw()})
    state[step] = items
    _save(request, state)
    return redirect(request.get_full_path()) if adding else _next(request, step)


@require_http_methods(["GET", "POST"])
def activities(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        step="activities",
        make_form=lambda state, data: ActivityForm(data=data),
        template="activities.html",
        describe=lambda state, data: data.get("title", ""),
    )


def need_label(state: dict[str, Any], data: dict[str, Any]) -> str:
    """'Seed funding for Lunch club: £250', from the answers as typed."""
    kind = data.get("kind", "")
    title = dict(activity_choices(state)).get(data.get("activity", ""), "")
    amount = data.get("amount", "").strip()
    if kind == NeedKind.SEED_FUNDING:
        amount = "£" + amount.lstrip("£")
    else:
        units = AMOUNT_UNITS_ONE if amount == "1" else AMOUNT_UNITS
        amount = f"{amount} {units.get(kind, '')}"
    return f"{NeedKind(kind).label if kind in NeedKind.values else kind} for {title}: {amount}"


@require_http_methods(["GET", "POST"])
def needs(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request, step="needs", make_form=_need_form, template="needs.html", describe=need_label
    )


@dataclass(frozen=True)
class Answers:
    group: GroupForm
    where: WhereForm
    activities: list[tuple[str, ActivityForm]]
    needs: list[tuple[str, NeedForm]]
    contact: ContactForm


def _answers(state: dict[str, Any]) -> Answers:
    """Every page's answers, bound and validated again (the guard passed)."""
    forms = {
        "group": GroupForm(data=state["group"]),
        "where": WhereForm(data=state["where"]),
        "contact": ContactForm(data=state["contact"]),
    }
    activity_forms = [(i["key"], ActivityForm(data=i["data"])) for i in state["activities"]]
    need_forms = [(i["key"], _need_form(state, i["data"])) for i in state["needs"]]
    for form in [*forms.values(), *(f for _, f in activity_forms), *(f for _, f in need_forms)]:
        form.is_valid()
    return Answers(
        group=forms["group"],  # type: ignore[arg-type]
        where=forms["where"],  # type: ignore[arg-type]
        activities=activity_forms,
        needs=need_forms,
        contact=forms["contact"],  # type: ignore[arg-type]
    )


def _register(answers: Answers) -> None:
    where, contact = answers.where.cleaned_data, answers.contact.cleaned_data
    group_register(
        group=answers.group.group_input(),
        postcode=where["postcode"],
        meets_at_home=where["meets_at_home"] == "yes",
        address=where["address"],
        activities=[form.activity_input(key=key) for key, form in answers.activities],
        needs=[form.need_input() for _key, form in answers.needs],
        contact_name=contact["contact_name"],
        contact_email=contact["contact_email"],
        contact_phone=contact["contact_phone"],
        consent_public=bool(contact["consent_public"]),
    )


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    if (guard := _guard(request, "check")) is not None:
        return guard
    state = _state(request)
    answers = _answers(state)
    if request.method == "POST":
        limited = request_limited(
            request=request,
            scope="register-submit",
            rate=setting_rate("BACKER_REGISTRATION_RATE", "5/h"),
        )
        if limited is not None:
            return limited
        form = CheckForm(data=request.POST)
        if not (state.get("caught") or form.caught):
            _register(answers)
        # Same end for people and robots: the robot learns nothing.
        request.session.pop(SESSION_KEY, None)
        request.session[DONE_KEY] = answers.contact.cleaned_data["contact_email"]
        return redirect(_url("done"))
    return render(
        request,
        T + "check.html",
        {
            "sections": _summary(state, answers),
            "form": CheckForm(),
            "version": CONSENT_WORDING_VERSION,
        },
    )


def _summary(state: dict[str, Any], answers: Answers) -> list[dict[str, Any]]:
    """Sections of (question, answer, change link) for the check page."""
    g, w, c = answers.group.cleaned_data, answers.where.cleaned_data, answers.contact.cleaned_data
    location = answers.where.location

    def change(step: str) -> str:
        return f"{_url(step)}?change=1"

    if location is None or location.outside_area:
        area = "Outside the area Backer covers at present. We will still receive your registration."
    else:
        area = location.neighbourhood_name or ""
    group_rows = [
        ("Name", g["name"]),
        ("What it does", g["description"]),
        ("Kind of group", dict(GroupKind.choices).get(g["kind"], "")),
        ("Charity number", g["charity_number"] or "None"),
        ("Company number", g["company_number"] or "None"),
        ("Website", g["website"] or "None"),
    ]
    where_rows = [
        ("Postcode", w["postcode"]),
        ("Meets at a private home", "Yes" if w["meets_at_home"] == "yes" else "No"),
        ("Where it meets", w["address"] or "Not given"),
        ("Neighbourhood", area),
    ]
    activity_rows = [
        (
            f.cleaned_data["title"],
            "; ".join(
                [
                    ", ".join(theme.name for theme in f.cleaned_data["themes"]),
                    dict(Frequency.choices).get(f.cleaned_data["frequency"], ""),
                    f"about {f.cleaned_data['people_reached_per_month']} "
                    f"{'person' if f.cleaned_data['people_reached_per_month'] == 1 else 'people'}"
                    " a month",
                ]
            ),
        )
        for _key, f in answers.activities
    ]
    need_rows = [
        (need_label(state, item["data"]), f.cleaned_data["why"] or "")
        for item, (_key, f) in zip(state["needs"], answers.needs, strict=True)
    ]
    contact_rows = [
        ("Your name", c["contact_name"]),
        ("Email address", c["contact_email"]),
        ("Phone number", c["contact_phone"] or "Not given"),
        ("Show in the public directory", "Yes" if c["consent_public"] else "No"),
    ]
    return [
        {"title": "About your group", "rows": group_rows, "change": change("group")},
        {"title": "Where your group meets", "rows": where_rows, "change": change("where")},
        {
            "title": "What your group already does",
            "rows": activity_rows,
            "change": change("activities"),
        },
        {"title": "What backing would help", "rows": need_rows, "change": change("needs")},
        {"title": "Your contact details", "rows": contact_rows, "change": change("contact")},
    ]


@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(DONE_KEY)
    if not email:
        return redirect(_url("start"))
    return render(request, T + "done.html", {"email": email})
