"""The group's pages about backing under way: to rate it
(/group/offers/<pk>/feedback/), to tell the anchor what happened
(/group/offers/<pk>/what-happened/), and to withdraw either consent to be
quoted to the anchor's board."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from matching.errors import ApplicationError
from matching.forms_voice import FeedbackForm, GroupReportForm
from matching.models_voice import UNDER_WAY_STATUSES
from matching.selectors_voice import match_for_feedback, match_for_report
from matching.services import feedback as feedback_services
from matching.services import group_reports
from matching.views_common import contact_required, form_errors_from


@contact_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    match, given = match_for_feedback(user=request.user, match_id=pk)
    open_ = match.status in UNDER_WAY_STATUSES
    form = FeedbackForm(
        request.POST if request.method == "POST" and open_ else None,
        initial=FeedbackForm.initial_from(given),
    )
    if request.method == "POST" and not open_:
        messages.error(request, "This backing is over: its rating can no longer be changed.")
    elif request.method == "POST" and form.is_valid():
        try:
            feedback_services.match_feedback_give(match_id=pk, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Thank you. Your answers were saved.")
            return redirect("matching:offers")
    return render(
        request,
        "matching/feedback_form.html",
        {"form": form, "match": match, "given": given, "open": open_},
    )


@contact_required
@require_POST
def feedback_consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    match_for_feedback(user=request.user, match_id=pk)
    feedback_services.match_feedback_consent_withdraw(match_id=pk, by=request.user)
    messages.success(request, "Done: the board will not see your words.")
    return redirect("matching:feedback", pk=pk)


@contact_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    match, given = match_for_report(user=request.user, match_id=pk)
    open_ = match.status in UNDER_WAY_STATUSES
    form = GroupReportForm(
        request.POST if request.method == "POST" and open_ else None,
        initial=GroupReportForm.initial_from(given),
    )
    if request.method == "POST" and not open_:
        messages.error(request, "This backing is over: your report can no longer be changed.")
    elif request.method == "POST" and form.is_valid():
        try:
            group_reports.match_report_give(match_id=pk, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "Thank you. Your report was saved.")
            return redirect("matching:offers")
    return render(
        request,
        "matching/report_form.html",
        {"form": form, "match": match, "given": given, "open": open_},
    )


@contact_required
@require_POST
def report_consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    match_for_report(user=request.user, match_id=pk)
    group_reports.match_report_consent_withdraw(match_id=pk, by=request.user)
    messages.success(request, "Done: the board will not see your story.")
    return redirect("matching:report", pk=pk)
