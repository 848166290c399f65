"""A supplier's pages: its pledges (the team's resource form, on its own
resources only) and the matches they led to. accounts.decorators.
supplier_required gives each view the user's one supplier organisation;
anything of another supplier or anchor is not there (404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import supplier_required
from matching.errors import ApplicationError
from matching.forms import ResourceForm
from matching.models import Match, Resource
from matching.selectors_suppliers import (
    SUPPLIER_MATCH_STATUSES,
    supplier_match_list,
    supplier_match_view,
    supplier_resource_list,
)
from matching.services.supplier_resources import (
    supplier_resource_create,
    supplier_resource_update,
)
from matching.views_common import form_errors_from
from partners.models import SupplierOrganisation


@supplier_required
@require_GET
def home(request: HttpRequest, supplier: SupplierOrganisation) -> HttpResponse:
    views = [
        supplier_match_view(user=request.user, match=m)
        for m in supplier_match_list(supplier_id=supplier.pk)
    ]
    return render(
        request,
        "matching/supplier_home.html",
        {
            "supplier": supplier,
            "anchor": supplier.anchor,
            "resources": supplier_resource_list(supplier_id=supplier.pk),
            "matches": views,
        },
    )


def _page(
    request: HttpRequest,
    supplier: SupplierOrganisation,
    form: ResourceForm,
    resource: Resource | None,
) -> HttpResponse:
    context = {"form": form, "anchor": supplier.anchor, "supplier": supplier, "resource": resource}
    return render(request, "matching/resource_form.html", context)


@supplier_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest, supplier: SupplierOrganisation) -> HttpResponse:
    form = ResourceForm(request.POST or None, anchor=supplier.anchor, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            resource = supplier_resource_create(
                supplier=supplier, by=request.user, **form.service_kwargs()
            )
        except ApplicationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"“{resource.title}” was pledged.")
            return redirect("matching:supplier-home")
    return _page(request, supplier, form, None)


@supplier_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, supplier: SupplierOrganisation, pk: int) -> HttpResponse:
    # Another supplier's or the anchor's own resource: not there (404).
    resource = get_object_or_404(
        Resource.objects.select_related("anchor"), pk=pk, supplier=supplier
    )
    if request.method == "POST":
        form = ResourceForm(request.POST, anchor=supplier.anchor)
        if form.is_valid():
            try:
                supplier_resource_update(
                    resource=resource, by=request.user, **form.service_kwargs()
                )
            except ApplicationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"“{resource.title}” was saved.")
                return redirect("matching:supplier-home")
    else:
        form = ResourceForm(anchor=supplier.anchor, initial=ResourceForm.initial_from(resource))
    return _page(request, supplier, form, resource)


@supplier_required
@require_GET
def match_detail(request: HttpRequest, supplier: SupplierOrganisation, pk: int) -> HttpResponse:
    match = get_object_or_404(
        Match.objects.select_related(
            "resource__anchor", "resource__supplier", "need__activity__group"
        ),
        pk=pk,
        resource__supplier=supplier,
        status__in=SUPPLIER_MATCH_STATUSES,
    )
    return render(
        request,
        "matching/supplier_match.html",
        {"supplier": supplier, "item": supplier_match_view(user=request.user, match=match)},
    )
