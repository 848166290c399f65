"""Group self-service pages: the signed-in contact manages their own group.

Every page about a group goes through group_get_for_contact, which answers
404 to anyone but that group's contact. Pages are never cached: they show
personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import signed_in_contact_required as contact_required
from config.views import safe_next
from partners.forms.base import pence_to_pounds
from partners.forms.registration import ActivityForm, NeedForm
from partners.forms.selfservice import ConsentForm, EmailForm, GroupEditForm
from partners.models import CommunityGroup, Need, NeedKind
from partners.ratelimit import request_limited, setting_rate
from partners.selectors_group import (
    group_activities,
    group_export,
    group_get_for_contact,
    group_list_for_contact,
)
from partners.services.selfservice import (
    activity_create,
    activity_remove,
    activity_update,
    group_consent_set,
    group_contact_request_sign_in_link,
    group_contact_sign_in,
    group_contact_sign_in_check,
    group_erase,
    group_update,
    group_withdraw,
    need_create,
    need_remove,
    need_update,
)
from partners.views_verify import link_problem

T = "partners/selfservice/"
SIGN_IN_NEXT = "group_sign_in_next"
View = Callable[..., HttpResponse]


def _own(request: HttpRequest, group_id: int) -> CommunityGroup:
    return group_get_for_contact(user=request.user, group_id=group_id)


def _to_group(group: CommunityGroup) -> HttpResponse:
    return redirect("partners:selfservice-group", group_id=group.pk)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = EmailForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        limited = request_limited(
            request=request, scope="sign-in", rate=setting_rate("BACKER_LINK_RATE", "10/h")
        )
        if limited is not None:
            return limited
        if form.is_valid():
            # Where the contact was going: the e-mailed link brings them back
            # there when they open it in this browser (login keeps the session).
            # (Only when there is one: a session written for every request
            # would make known and unknown addresses take different paths.)
            if going_to := safe_next(request):
                request.session[SIGN_IN_NEXT] = going_to
            # The same path and answer whether or not the address is known:
            # the outbox task decides, out of sight, whether to send anything.
            group_contact_request_sign_in_link(email=form.cleaned_data["email"])
            return render(request, T + "sign_in_sent.html")
    return render(request, T + "sign_in.html", {"form": form, "next": safe_next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not use them up.
    resend = reverse("partners:selfservice-sign-in")
    if request.method == "POST":
        result, user = group_contact_sign_in(token=token)
        if not result.ok:
            return link_problem(request, result.problem, resend_url=resend)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        going_to = request.session.pop(SIGN_IN_NEXT, "")
        if going_to and url_has_allowed_host_and_scheme(
            going_to, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(going_to)
        return redirect("partners:selfservice-dashboard")
    result = group_contact_sign_in_check(token=token)
    if not result.ok:
        return link_problem(request, result.problem, resend_url=resend)
    return render(request, T + "sign_in_confirm.html")


@contact_required
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, T + "dashboard.html", {"groups": group_list_for_contact(user=request.user)}
    )


@contact_required
@require_http_methods(["GET"])
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _own(request, group_id)
    return render(
        request,
        T + "group.html",
        {"group": group, "activities": group_activities(group=group)},
    )


@contact_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _own(request, group_id)
    if request.method == "POST":
        form = GroupEditForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            group_update(
                group=group,
                data=form.group_input(),
                postcode=data["postcode"],
                meets_at_home=data["meets_at_home"] == "yes",
                address=data["address"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
            messages.success(request, "Your group's details have been saved.")
            return _to_group(group)
    else:
        initial = {
            name: getattr(group, name)
            for name in GroupEditForm.base_fields
            if name not in {"meets_at_home"}
        }
        form = GroupEditForm(
            initial={**initial, "meets_at_home": "yes" if group.meets_at_home else "no"}
        )
    return render(
        request,
        T + "form.html",
        {
            "form": form,
            "group": group,
            "title": "Change your group's details",
            "button": "Save changes",
        },
    )


def _activity_page(request: HttpRequest, group: CommunityGroup, activity: Any) -> HttpResponse:
    if request.method == "POST":
        form = ActivityForm(data=request.POST)
        if form.is_valid():
            if activity is None:
                activity_create(group=group, data=form.activity_input())
            else:
                activity_update(activity=activity, data=form.activity_input())
            messages.success(request, "The activity has been saved.")
            return _to_group(group)
    elif activity is None:
        form = ActivityForm()
    else:
        initial = {
            name: getattr(activity, name)
            for name in ("title", "description", "frequency", "where", "people_reached_per_month")
        }
        form = ActivityForm(initial={**initial, "themes": [t.slug for t in activity.themes.all()]})
    title = "Add an activity" if activity is None else "Change an activity"
    return render(
        request,
        T + "form.html",
        {"form": form, "group": group, "title": title, "button": "Save activity"},
    )


@contact_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, group_id: int) -> HttpResponse:
    return _activity_page(request, _own(request, group_id), None)


@contact_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, group_id: int, activity_id: int) -> HttpResponse:
    group = _own(request, group_id)
    return _activity_page(request, group, get_object_or_404(group.activities, pk=activity_id))


@contact_required
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, group_id: int, activity_id: int) -> HttpResponse:
    group = _own(request, group_id)
    activity = get_object_or_404(group.activities, pk=activity_id)
    if request.method == "POST":
        if activity_remove(activity=activity):
            messages.success(request, "The activity has been removed.")
        else:
            messages.error(
                request,
                "This activity has backing recorded against it, so it stays on record. "
                "You can remove its needs instead.",
            )
        return _to_group(group)
    return render(
        request, T + "confirm.html", {"group": group, "thing": activity.title, "action": "remove"}
    )


def _need_page(request: HttpRequest, group: CommunityGroup, need: Any) -> HttpResponse:
    activities = {str(a.pk): a for a in group.activities.all()}
    if not activities:
        messages.error(request, "Add an activity first: each need belongs to an activity.")
        return _to_group(group)
    choices = [(key, a.title) for key, a in activities.items()]
    if request.method == "POST":
        form = NeedForm(data=request.POST, activity_choices=choices)
        if form.is_valid():
            data = form.need_input()
            activity = activities[data.activity_key]
            if need is None:
                need_create(activity=activity, data=data)
            else:
                need_update(need=need, activity=activity, data=data)
            messages.success(request, "The need has been saved.")
            return _to_group(group)
    elif need is None:
        form = NeedForm(activity_choices=choices)
    else:
        amount = pence_to_pounds(need.amount) if need.kind == NeedKind.SEED_FUNDING else need.amount
        form = NeedForm(
            activity_choices=choices,
            initial={
                "activity": str(need.activity_id),
                "kind": need.kind,
                "amount": amount,
                "space_capacity": need.space_capacity or "",
                "accessibility_needs": need.accessibility_needs,
                "why": need.why,
            },
        )
    title = "Add a need" if need is None else "Change a need"
    return render(
        request,
        T + "form.html",
        {"form": form, "group": group, "title": title, "button": "Save need"},
    )


@contact_required
@require_http_methods(["GET", "POST"])
def need_add(request: HttpRequest, group_id: int) -> HttpResponse:
    return _need_page(request, _own(request, group_id), None)


def _own_need(group: CommunityGroup, need_id: int) -> Need:
    return get_object_or_404(
        Need.objects.select_related("activity"), pk=need_id, activity__group=group
    )


@contact_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, group_id: int, need_id: int) -> HttpResponse:
    group = _own(request, group_id)
    return _need_page(request, group, _own_need(group, need_id))


@contact_required
@require_http_methods(["GET", "POST"])
def need_delete(request: HttpRequest, group_id: int, need_id: int) -> HttpResponse:
    group = _own(request, group_id)
    need = _own_need(group, need_id)
    if request.method == "POST":
        deleted = need_remove(need=need)
        messages.success(
            request,
            "The need has been removed."
            if deleted
            else "Backing was recorded against this need, so it is kept on record as withdrawn.",
        )
        return _to_group(group)
    return render(
        request, T + "confirm.html", {"group": group, "thing": str(need), "action": "remove"}
    )


@contact_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _own(request, group_id)
    if request.method == "POST":
        form = ConsentForm(data=request.POST)
        if form.is_valid():
            group_consent_set(group=group, given=form.cleaned_data["consent_public"])
            messages.success(request, "Your choice about the public directory has been saved.")
            return _to_group(group)
    else:
        form = ConsentForm(initial={"consent_public": group.consent_public})
    return render(
        request,
        T + "form.html",
        {"form": form, "group": group, "title": "The public directory", "button": "Save"},
    )


@contact_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _own(request, group_id)
    if request.method == "POST":
        group_withdraw(group=group)
        messages.success(request, "Your group has been withdrawn. It no longer appears in public.")
        return _to_group(group)
    return render(request, T + "withdraw.html", {"group": group})


@contact_required
@require_http_methods(["GET"])
def export(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _own(request, group_id)
    response = JsonResponse(group_export(group=group), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="backer-group-{group.pk}.json"'
    return response


@contact_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, group_id: int) -> HttpResponse:
    group = _own(request, group_id)
    if request.method == "POST":
        group_erase(group=group)
        logout(request)
        return redirect("partners:selfservice-erased")
    return render(request, T + "erase.html", {"group": group})


@require_http_methods(["GET"])
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, T + "erased.html")
