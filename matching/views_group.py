"""Group pages: offers made to the signed-in contact's groups, why a need has
none yet ("why not us?"), and connections."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import groups_for_contact
from matching.errors import ApplicationError
from matching.forms import OfferDeclineForm
from matching.models import Match
from matching.selectors import connections_for_contact, match_offers_for_contact
from matching.selectors_whynot import unmatched_for_contact
from matching.services import connections as connection_services
from matching.services import review
from matching.views_common import contact_required


@contact_required
@require_GET
def offers(request: HttpRequest) -> HttpResponse:
    return render(
        request, "matching/offers.html", {"offers": match_offers_for_contact(user=request.user)}
    )


@contact_required
@require_GET
def why_not(request: HttpRequest) -> HttpResponse:
    """Each open need of the contact's groups, and why no anchor backs it yet."""
    return render(
        request, "matching/why_not.html", {"groups": unmatched_for_contact(user=request.user)}
    )


def _own_offer(request: HttpRequest, pk: int) -> Match:
    match = get_object_or_404(
        Match.objects.select_related(
            "resource__anchor", "resource__supplier", "need__activity__group"
        ),
        pk=pk,
    )
    if match.need.activity.group_id not in groups_for_contact(user=request.user):
        raise Http404("No such offer.")  # another group's: not there, not forbidden
    return match


@contact_required
@require_POST
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    _own_offer(request, pk)
    try:
        review.match_accept(match_id=pk, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thank you: you accepted the offer. The anchor will be in touch.")
    return redirect("matching:offers")


@contact_required
@require_http_methods(["GET", "POST"])
def offer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    match = _own_offer(request, pk)
    form = OfferDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.match_refuse(match_id=pk, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "You declined the offer.")
            return redirect("matching:offers")
    return render(request, "matching/offer_decline.html", {"form": form, "match": match})


@contact_required
@require_GET
def connections(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "matching/connections.html",
        {"connections": connections_for_contact(user=request.user)},
    )


@contact_required
@require_POST
def connection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    answer = request.POST.get("answer")
    try:
        if answer == "yes":
            connection_services.connection_opt_in(connection_id=pk, by=request.user)
            messages.success(
                request, "Thank you. Contact details pass only once the other group says yes too."
            )
        elif answer == "no":
            connection_services.connection_decline(connection_id=pk, by=request.user)
            messages.success(
                request, "This suggestion is closed for both groups. Nothing more is shared."
            )
        else:
            messages.error(request, "Choose yes or no.")
    except ApplicationError as error:
        if error.status_code == 403:
            # Between two other groups: not there for this contact (404).
            raise Http404("No such suggestion.") from error
        messages.error(request, error.message)
    return redirect("matching:connections")
