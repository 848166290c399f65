"""Team pages: the review queue, a match's page (with the group's rating and the
outcome's coding) and its actions, the 360Giving download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import anchors_for_team
from matching import giving360
from matching.errors import ApplicationError
from matching.explain import match_explain
from matching.forms import DeclineForm, NoteForm, WithdrawForm
from matching.forms_voice import CodedOutcomeForm
from matching.models import Match, MatchEvent
from matching.selectors import match_also_backed_by, match_review_queue
from matching.selectors_voice import match_group_report, match_voice_for_team
from matching.services import review
from matching.views_common import acting_anchor, form_errors_from, team_required
from partners.models import Theme


def _theme_names() -> dict[str, str]:
    return dict(Theme.objects.values_list("slug", "name"))


@team_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    anchor = acting_anchor(request)
    matches = list(match_review_queue(anchor_ids=[anchor.pk]))
    names = _theme_names()
    also = match_also_backed_by(
        group_ids={m.need.activity.group_id for m in matches}, excluding_anchor_ids=[anchor.pk]
    )
    items = [
        {
            "match": m,
            "explanation": match_explain(match=m, theme_names=names),
            "also_backed_by": also.get(m.need.activity.group_id, []),
        }
        for m in matches
    ]
    return render(request, "matching/review_queue.html", {"anchor": anchor, "items": items})


def _own_match(request: HttpRequest, pk: int) -> Match:
    match = get_object_or_404(
        Match.objects.select_related(
            "resource__anchor",
            "resource__supplier",
            "need__activity__group__neighbourhood",
            "reviewer",
        ).prefetch_related(Prefetch("events", queryset=MatchEvent.objects.select_related("by"))),
        # Another anchor's match is not there (404), not forbidden (403): the
        # answer must not confirm that it exists.
        pk=pk,
        resource__anchor_id__in=anchors_for_team(user=request.user),
    )
    return match


@team_required
@require_GET
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = _own_match(request, pk)
    group_id = match.need.activity.group_id
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "anchor": match.resource.anchor,
            "explanation": match_explain(match=match, theme_names=_theme_names()),
            "also_backed_by": match_also_backed_by(
                group_ids=[group_id], excluding_anchor_ids=[match.resource.anchor_id]
            ).get(group_id, []),
            **match_voice_for_team(match=match),
        },
    )


def _act(
    request: HttpRequest, pk: int, action: Callable[..., Match], done: str, **kwargs: Any
) -> HttpResponse:
    _own_match(request, pk)
    try:
        action(match_id=pk, by=request.user, **kwargs)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("matching:queue")


@team_required
@require_POST
def match_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(request, pk, review.match_approve, "Approved. The group has been told.", note=note)


@team_required
@require_POST
def match_defer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, review.match_defer, "Deferred. It stays in the queue.")


@team_required
@require_POST
def match_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _act(request, pk, review.match_activate, "Marked as started.")
    return redirect("matching:match", pk=pk)


def _reason_page(
    request: HttpRequest,
    pk: int,
    form_class: type[DeclineForm] | type[WithdrawForm],
    action: Callable[..., Match],
    title: str,
    done: str,
) -> HttpResponse:
    match = _own_match(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(match_id=pk, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect("matching:queue")
    return render(
        request,
        "matching/reason_form.html",
        {"form": form, "match": match, "anchor": match.resource.anchor, "title": title},
    )


@team_required
@require_http_methods(["GET", "POST"])
def match_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(
        request, pk, DeclineForm, review.match_decline, "Decline this match", "Declined."
    )


@team_required
@require_http_methods(["GET", "POST"])
def match_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(
        request,
        pk,
        WithdrawForm,
        review.match_withdraw,
        "Withdraw this match",
        "Withdrawn. The capacity is free again.",
    )


@team_required
@require_http_methods(["GET", "POST"])
def match_complete(request: HttpRequest, pk: int) -> HttpResponse:
    match = _own_match(request, pk)
    # The form starts from what the group reported; the team checks it and
    # codes the building blocks and TOMs codes.
    reported = match_group_report(match=match)
    form = CodedOutcomeForm(request.POST or None, initial=CodedOutcomeForm.initial_from(reported))
    if request.method == "POST" and form.is_valid():
        try:
            review.match_complete(
                match_id=pk,
                by=request.user,
                people_reached=form.cleaned_data["people_reached"],
                story=form.cleaned_data["story"],
                blocks=form.cleaned_data["blocks"],
                measures=form.measure_codes(),
            )
        except ApplicationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The outcome was recorded.")
            return redirect("matching:match", pk=pk)
    return render(
        request,
        "matching/outcome_form.html",
        {"form": form, "match": match, "anchor": match.resource.anchor, "reported": reported},
    )


@team_required
@require_GET
def export_360giving(request: HttpRequest) -> HttpResponse:
    anchor = acting_anchor(request)
    fmt = request.GET.get("format", "csv")
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        body, content_type = giving360.to_json(anchor_ids=[anchor.pk]), "application/json"
    elif fmt == "csv":
        body, content_type = giving360.to_csv(anchor_ids=[anchor.pk]), "text/csv; charset=utf-8"
    else:
        return HttpResponse("Choose format=csv or format=json.", status=400)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="360giving-{anchor.slug}-{stamp}.{fmt}"'
    )
    return response
