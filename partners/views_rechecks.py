"""The yearly re-check pages: the contact's e-mailed link, and the anchor
team's "due for a check" queue with its two actions.

The link page is for a signed-out contact: GET shows the group's details and
two buttons, and only a POST acts, so mail scanners that follow links use
nothing up. A link that cannot be used gets the same page as the other
e-mailed links (partners/views_verify.py: link_problem), with the way to a
new one: signing in, whose edit page records the check too.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import TeamRequiredMixin
from config.exceptions import ApplicationError
from partners.recheck_rules import out_after
from partners.selectors_group import group_activities
from partners.selectors_rechecks import group_get_for_recheck, group_recheck_queue
from partners.services.rechecks import (
    group_mark_checked,
    group_recheck_check,
    group_recheck_confirm,
    group_recheck_resend,
    group_recheck_update_request,
)
from partners.services.tokens import LinkProblem
from partners.views_verify import link_problem

T = "partners/rechecks/"


def _problem(request: HttpRequest, problem: LinkProblem | None) -> HttpResponse:
    return link_problem(request, problem, resend_url=reverse("partners:selfservice-sign-in"))


@never_cache
@require_http_methods(["GET", "POST"])
def recheck_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "update":
        result, group = group_recheck_update_request(token=token)
        if group is None:
            return _problem(request, result.problem)
        return render(request, "partners/selfservice/sign_in_sent.html")
    if request.method == "POST":
        result, group = group_recheck_confirm(token=token)
        if group is None:
            return _problem(request, result.problem)
        return render(request, T + "confirmed.html", {"group": group})
    result, group = group_recheck_check(token=token)
    if group is None:
        return _problem(request, result.problem)
    context = {
        "group": group,
        "activities": group_activities(group=group),
        "out_on": out_after(group.last_checked_at),
    }
    return render(request, T + "check.html", context)


class RecheckQueueView(TeamRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = group_recheck_queue(user=request.user)
        overdue = sum(1 for row in rows if row.overdue)
        return render(request, T + "queue.html", {"rows": rows, "overdue": overdue})


class RecheckResendView(TeamRequiredMixin, View):
    def post(self, request: HttpRequest, group_id: int) -> HttpResponse:
        group = group_get_for_recheck(user=request.user, group_id=group_id)
        try:
            group_recheck_resend(group=group, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The link to check {group.name} has been sent again.")
        return redirect("partners:team-rechecks")


class RecheckMarkView(TeamRequiredMixin, View):
    def post(self, request: HttpRequest, group_id: int) -> HttpResponse:
        group = group_get_for_recheck(user=request.user, group_id=group_id)
        try:
            group_mark_checked(group=group, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{group.name} is marked as checked today.")
        return redirect("partners:team-rechecks")
