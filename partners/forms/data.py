"""The form of the anchor team's upload of groups (partners/views_data.py):
it checks the file as a whole; the import itself runs in a task."""

from __future__ import annotations

from django import forms

from partners.imports import MAX_FILE_BYTES, MAX_FILE_TEXT, ImportFileError, csv_file_check
from partners.models import ImportKind
from partners.openreferral.importer import OrukFileError, oruk_file_check


class GroupsImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of file is it?",
        # Groups only: 360Giving grants have their own page (grants/views.py).
        choices=[(k, label) for k, label in ImportKind.choices if k != ImportKind.GIVING360],
        initial=ImportKind.CSV,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of file it is"},
    )
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv,.json,application/json"}),
        help_text=(
            f"At most {MAX_FILE_TEXT}. A CSV file saved as UTF-8 whose first line names the "
            "columns, or an Open Referral UK feed saved as JSON."
        ),
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None or "kind" not in cleaned:
            return cleaned
        if upload.size > MAX_FILE_BYTES:
            self.add_error("file", f"The file must be smaller than {MAX_FILE_TEXT}")
            return cleaned
        data = upload.read()
        try:
            if cleaned["kind"] == ImportKind.CSV:
                csv_file_check(data=data)
            else:
                oruk_file_check(data=data)
        except (ImportFileError, OrukFileError) as error:
            self.add_error("file", str(error))
        cleaned["data"] = data
        return cleaned
