"""Supplier pages of the partners app: the anchor team's list of its
suppliers and invitation form, its actions on them (send an invitation
again, cancel it, remove a supplier), and the page an invited person joins
from. The team's pages get the anchors it acts for from the guard
(accounts.access); anything of another anchor is not there (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import team_required
from config.exceptions import ApplicationError
from partners.forms.suppliers import SupplierInviteForm, SupplierJoinForm
from partners.models import Anchor
from partners.selectors_suppliers import (
    supplier_for_team,
    supplier_invitation_for_team,
    supplier_invitation_waiting_list,
    supplier_list,
    supplier_removal_facts,
    supplier_removed_list,
)
from partners.services.suppliers import (
    supplier_invitation_accept,
    supplier_invitation_cancel,
    supplier_invitation_check,
    supplier_invitation_resend,
    supplier_invite,
    supplier_remove,
)
from partners.services.tokens import LinkProblem

T = "partners/suppliers/"


def _acting_anchor(request: HttpRequest, anchors: list[Anchor]) -> Anchor:
    """?anchor=<slug> among the user's own anchors, else the first by name.
    Any other slug is not there (404): it does not confirm another anchor."""
    slug = request.GET.get("anchor") or request.POST.get("anchor")
    if not slug:
        return anchors[0]
    chosen = next((a for a in anchors if a.slug == slug), None)
    if chosen is None:
        raise Http404("No such anchor among yours.")
    return chosen


@team_required(with_anchors=True)
@require_http_methods(["GET", "POST"])
def suppliers(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    anchor = _acting_anchor(request, anchors)
    form = SupplierInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_invite(anchor=anchor, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            for name, message in error.extra.get("fields", {}).items():
                form.add_error(name, message)
        else:
            messages.success(
                request, f"{form.cleaned_data['name']} is invited. We have emailed the link."
            )
            return redirect(f"{request.path}?anchor={anchor.slug}")
    context = {
        "anchor": anchor,
        "anchors": anchors,
        "form": form,
        "suppliers": supplier_list(anchor_id=anchor.pk),
        "invitations": supplier_invitation_waiting_list(anchor_id=anchor.pk),
        "removed": supplier_removed_list(anchor_id=anchor.pk),
    }
    return render(request, T + "team.html", context)


def _back_to_list(anchor: Anchor) -> HttpResponse:
    return redirect(f"{reverse('partners:team-suppliers')}?anchor={anchor.slug}")


def _ids(anchors: list[Anchor]) -> list[int]:
    return [a.pk for a in anchors]


@team_required(with_anchors=True)
@require_POST
def invitation_resend(request: HttpRequest, anchors: list[Anchor], pk: int) -> HttpResponse:
    invitation = supplier_invitation_for_team(anchor_ids=_ids(anchors), pk=pk)
    try:
        supplier_invitation_resend(invitation=invitation, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"The invitation to {invitation.supplier.name} is being sent again with a new "
            "link. The link in the earlier email no longer works.",
        )
    return _back_to_list(invitation.supplier.anchor)


@team_required(with_anchors=True)
@require_POST
def invitation_cancel(request: HttpRequest, anchors: list[Anchor], pk: int) -> HttpResponse:
    invitation = supplier_invitation_for_team(anchor_ids=_ids(anchors), pk=pk)
    try:
        supplier_invitation_cancel(invitation=invitation, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"The invitation to {invitation.supplier.name} is cancelled. Its link now says so.",
        )
    return _back_to_list(invitation.supplier.anchor)


@team_required(with_anchors=True)
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, anchors: list[Anchor], pk: int) -> HttpResponse:
    """GET asks to confirm, saying what removal changes; only the POST removes."""
    supplier = supplier_for_team(anchor_ids=_ids(anchors), pk=pk)
    if request.method == "POST":
        try:
            supplier_remove(supplier=supplier, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{supplier.name} is no longer a supplier of {supplier.anchor.name}. Proposals "
                "from its pledges still waiting in the review queue are declined; the matches it "
                "committed to stay.",
            )
        return _back_to_list(supplier.anchor)
    context = {"supplier": supplier, "facts": supplier_removal_facts(supplier=supplier)}
    return render(request, T + "remove.html", context)


def _problem(request: HttpRequest, problem: LinkProblem | None) -> HttpResponse:
    status = 400 if problem in (None, LinkProblem.TAMPERED) else 410
    value = problem.value if problem else "tampered"
    return render(request, T + "join_problem.html", {"problem": value}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the form only: a mail scanner following the link uses nothing up."""
    check = supplier_invitation_check(token=token)
    if not check.ok or check.payload is None:
        return _problem(request, check.problem)
    form = SupplierJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result, user = supplier_invitation_accept(
                token=token, password=form.cleaned_data["password"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if not result.ok:
                return _problem(request, result.problem)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You now act for {check.payload['supplier']}.")
            return redirect("matching:supplier-home")
    return render(
        request,
        T + "join.html",
        {"form": form, "invitation": check.payload},
    )
