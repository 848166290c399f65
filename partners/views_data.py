"""Pages for data in and out: the anchor team's CSV upload of groups."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.decorators import team_required
from partners.imports import COLUMNS, MAX_FILE_BYTES, ImportFileError, groups_import_csv


class GroupsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A CSV file saved as UTF-8, at most 5 MB. The first line names the columns.",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
        },
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        data: bytes = upload.read()
        return data


@team_required(message="Only anchor team members can import groups.")
@require_http_methods(["GET", "POST"])
def groups_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "partners/data/import_upload.html",
            {"form": GroupsImportForm(), "columns": COLUMNS},
        )
    form = GroupsImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = groups_import_csv(data=form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return render(request, "partners/data/import_report.html", {"report": report})
    return render(
        request, "partners/data/import_upload.html", {"form": form, "columns": COLUMNS}, status=400
    )
