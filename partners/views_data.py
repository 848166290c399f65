"""Pages for data in and out: the anchor team's upload of groups (a CSV file
or an Open Referral feed) and the page of each import job.

The upload only checks the file as a whole and queues a job; the import
runs in a Celery task (partners/services/imports.py), and the job's page
shows its progress and then its report.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import anchors_for_team
from accounts.decorators import team_required
from partners.forms.data import GroupsImportForm
from partners.imports import COLUMNS
from partners.models import ImportKind
from partners.selectors import import_job_get, import_job_list
from partners.services.imports import import_job_stalled, import_job_start

# Seconds between checks of a running job's page (config/static/js/job_progress.js
# updates its progress line in place; a meta refresh would move focus: WCAG 2.2.1).
REFRESH_SECONDS = 3


def _upload_page(request: HttpRequest, form: GroupsImportForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "columns": COLUMNS,
        "jobs": import_job_list(user=request.user).exclude(kind=ImportKind.GIVING360)[:10],
    }
    return render(request, "partners/data/import_upload.html", context, status=status)


@team_required(message="Only anchor team members can import groups.")
@require_http_methods(["GET", "POST"])
def groups_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, GroupsImportForm())
    form = GroupsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    anchors = sorted(anchors_for_team(user=request.user))
    job = import_job_start(
        kind=form.cleaned_data["kind"],
        data=form.cleaned_data["data"],
        file_name=form.cleaned_data["file"].name or "",
        # A member of several anchors' teams imports for the first; groups
        # are shared by every anchor, so this only decides who sees the job.
        anchor_id=anchors[0] if anchors else None,
        by=request.user,
    )
    return redirect("partners:import-job", job_id=job.pk)


@team_required(message="Only anchor team members can import groups.")
@require_GET
def import_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get(user=request.user, job_id=job_id)
    if job.kind == ImportKind.GIVING360:
        # Grants have their own page (by URL name: partners does not import grants).
        return redirect("grants:import-job", job_id=job.pk)
    stalled = import_job_stalled(job)
    context = {
        "job": job,
        "stalled": stalled,
        "refresh": None if job.is_finished or stalled else REFRESH_SECONDS,
    }
    return render(request, "partners/data/import_job.html", context)
