"""Team pages: resources, and match runs with their progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import anchors_for_team
from matching.errors import ApplicationError
from matching.forms import ResourceForm
from matching.models import MatchRun, Resource, RunStatus
from matching.selectors import resource_list, run_floors_read, run_list, run_progress
from matching.selectors_whynot import run_unmatched
from matching.services.resources import resource_create, resource_update
from matching.services.runs import match_run_start
from matching.views_common import acting_anchor, form_errors_from, team_required
from partners.models import NeedKind


@team_required
@require_GET
def resources(request: HttpRequest) -> HttpResponse:
    anchor = acting_anchor(request)
    return render(
        request,
        "matching/resource_list.html",
        {"anchor": anchor, "resources": resource_list(anchor_ids=[anchor.pk])},
    )


@team_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    anchor = acting_anchor(request)
    form = ResourceForm(request.POST or None, anchor=anchor, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            resource = resource_create(anchor=anchor, by=request.user, **form.service_kwargs())
        except ApplicationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"“{resource.title}” was added.")
            return redirect("matching:resources")
    return render(
        request, "matching/resource_form.html", {"form": form, "anchor": anchor, "resource": None}
    )


@team_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.select_related("anchor"),
        pk=pk,
        anchor_id__in=anchors_for_team(user=request.user),  # another anchor's: 404
    )
    anchor = resource.anchor
    if request.method == "POST":
        form = ResourceForm(request.POST, anchor=anchor)
        if form.is_valid():
            try:
                resource_update(resource=resource, by=request.user, **form.service_kwargs())
            except ApplicationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"“{resource.title}” was saved.")
                return redirect("matching:resources")
    else:
        form = ResourceForm(anchor=anchor, initial=ResourceForm.initial_from(resource))
    return render(
        request,
        "matching/resource_form.html",
        {"form": form, "anchor": anchor, "resource": resource},
    )


@team_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    anchor = acting_anchor(request)
    return render(
        request,
        "matching/run_list.html",
        {"anchor": anchor, "runs": run_list(anchor_ids=[anchor.pk])[:50]},
    )


def _own_run(request: HttpRequest, pk: int) -> MatchRun:
    run = get_object_or_404(
        MatchRun.objects.select_related("anchor", "started_by"),
        pk=pk,
        anchor_id__in=anchors_for_team(user=request.user),  # another anchor's: 404
    )
    return run


@team_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    totals = (run.counts or {}).get("amount_per_kind", {})
    labels = dict(NeedKind.choices)
    amount_per_kind = [
        (kind, labels.get(kind, kind), total) for kind, total in sorted(totals.items())
    ]
    return render(
        request,
        "matching/run_detail.html",
        {
            "run": run,
            "anchor": run.anchor,
            "amount_per_kind": amount_per_kind,
            "unmatched": run_unmatched(run=run) if run.status == RunStatus.SUCCEEDED else None,
            "floors": run_floors_read(run=run),
        },
    )


@never_cache
@team_required
@require_GET
def run_progress_json(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(run_progress(run=_own_run(request, pk)))


@team_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    anchor = acting_anchor(request)
    run = match_run_start(anchor=anchor, by=request.user)
    return redirect("matching:run", pk=run.pk)
