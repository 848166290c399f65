"""Helpers shared by the matching pages: the acting anchor.

Who may open which page is accounts.decorators' business; the names below
are re-exported so the matching views keep their one import.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest

from accounts.access import anchors_for_team
from accounts.decorators import board_member_required as board_required
from accounts.decorators import contact_required, team_required
from matching.errors import ApplicationError
from partners.models import Anchor

__all__ = [
    "acting_anchor",
    "board_required",
    "contact_required",
    "form_errors_from",
    "team_required",
]


def acting_anchor(request: HttpRequest) -> Anchor:
    """The anchor the team member is working for: ?anchor=<slug> among their
    own, else the first of them by name. Any other slug is not there (404):
    the answer does not confirm that another anchor's slug exists."""
    anchors = Anchor.objects.filter(pk__in=anchors_for_team(user=request.user)).order_by("name")
    slug = request.GET.get("anchor") or request.POST.get("anchor")
    if slug:
        chosen = anchors.filter(slug=slug).first()
        if chosen is None:
            raise Http404("No such anchor among yours.")
        return chosen
    first = anchors.first()
    if first is None:
        raise Http404("No anchor to act for.")
    return first


def form_errors_from(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's refusal on the form: each field's message at its field
    (or at the top for a field the form lacks), else the refusal's message."""
    fields = error.extra.get("fields") or {}
    for name, message in fields.items():
        form.add_error(name if name in form.fields else None, message)
    if not fields:
        form.add_error(None, error.message)
