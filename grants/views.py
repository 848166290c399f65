"""The anchor team's pages for other funders' grants and outreach:

- the upload of a 360Giving file, which queues an import job (partners'
  machinery; grants/services/imports.py) and sends the team to the job's page;
- the outreach list of cold spots (grants.coldspots), and its CSV.
"""

from __future__ import annotations

import csv

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import team_required
from grants.coldspots import DOMAINS, ColdSpots, coldspot_list
from grants.giving360 import giving360_file_check
from grants.services.imports import grants_import_job_start
from partners.imports import MAX_FILE_BYTES, MAX_FILE_TEXT, ImportFileError
from partners.models import Anchor, ImportKind
from partners.selectors import import_job_get, import_job_list
from partners.services.imports import import_job_stalled
from partners.views_data import REFRESH_SECONDS

TEAM_ONLY = "Only anchor team members can import grants or see the outreach list."


class GrantsImportForm(forms.Form):
    file = forms.FileField(
        label="360Giving file",
        help_text=(
            f"At most {MAX_FILE_TEXT}. A CSV file with the 360Giving column titles "
            "(as GrantNav exports it) or a 360Giving JSON file."
        ),
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {MAX_FILE_TEXT}")
        data = upload.read()
        try:
            giving360_file_check(data=data)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        self.data_bytes = data
        return upload


def _upload_page(request: HttpRequest, form: GrantsImportForm, status: int = 200) -> HttpResponse:
    jobs = import_job_list(user=request.user).filter(kind=ImportKind.GIVING360)[:10]
    return render(request, "grants/import_upload.html", {"form": form, "jobs": jobs}, status=status)


@team_required(message=TEAM_ONLY, with_anchors=True)
@require_http_methods(["GET", "POST"])
def grants_import_page(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, GrantsImportForm())
    form = GrantsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    job = grants_import_job_start(
        data=form.data_bytes,
        file_name=form.cleaned_data["file"].name or "",
        # Grants are open data shared by every anchor; this decides who sees the job.
        anchor_id=anchors[0].pk if anchors else None,
        by=request.user,
    )
    return redirect("grants:import-job", job_id=job.pk)


@team_required(message=TEAM_ONLY)
@require_GET
def grants_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get(user=request.user, job_id=job_id)
    if job.kind != ImportKind.GIVING360:
        raise Http404("No such import of grants.")
    stalled = import_job_stalled(job)
    context = {
        "job": job,
        "stalled": stalled,
        "refresh": None if job.is_finished or stalled else REFRESH_SECONDS,
    }
    return render(request, "grants/import_job.html", context)


class OutreachForm(forms.Form):
    measure = forms.ChoiceField(
        label="Need means",
        choices=[
            ("imd", "Index of Multiple Deprivation, deciles 1 and 2"),
            ("health", "Health deprivation and disability, deciles 1 and 2"),
        ],
        initial="imd",
        required=False,
        widget=forms.RadioSelect,
    )


def _cold_spots(request: HttpRequest, anchors: list[Anchor]) -> tuple[OutreachForm, ColdSpots]:
    form = OutreachForm(request.GET or None)
    measure = "imd"
    if form.is_bound and form.is_valid():
        measure = form.cleaned_data["measure"] or "imd"
    if measure not in DOMAINS:
        measure = "imd"
    # The team's own anchors' sites only: another anchor's sites are never named.
    return form, coldspot_list(domain=measure, anchor_ids=tuple(a.pk for a in anchors))


@team_required(message=TEAM_ONLY, with_anchors=True)
@require_GET
def outreach_page(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    form, spots = _cold_spots(request, anchors)
    return render(
        request,
        "grants/outreach.html",
        {
            "form": form,
            "spots": spots,
            "rows": spots.rows.to_dict("records"),
            "measure": spots.domain,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


CSV_HEADER = [
    "neighbourhood_code",
    "neighbourhood",
    "local_authority",
    "measure",
    "decile",
    "imd_decile",
    "health_decile",
    "population",
    "nearby_groups",
    "nearest_site",
]


def _cell(value: object) -> object:
    # A leading =, +, - or @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value and value[0] in "=+-@":
        return f"'{value}"
    return "" if value is None or value != value else value


@team_required(message=TEAM_ONLY, with_anchors=True)
@require_GET
def outreach_csv(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    _form, spots = _cold_spots(request, anchors)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="backer-cold-spots-{day}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in spots.rows.itertuples(index=False):
        values = [
            row.code,
            row.name,
            row.la_name,
            spots.domain,
            row.decile,
            row.imd_decile,
            row.health_decile,
            row.population,
            row.nearby_groups,
            row.nearest_site,
        ]
        writer.writerow([_cell(v if not isinstance(v, float) else int(v)) for v in values])
    return response
