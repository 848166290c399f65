"""Anchor team pages: the verification queue, group search and detail,
verify / reject / suspend, and the team's own anchor's sites.

Views stay thin: forms check input, services write, selectors read, and
accounts decides who may do what (the API uses the same rules).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from accounts.access import anchors_for_team, is_admin
from accounts.decorators import TeamRequiredMixin, forbidden
from config.exceptions import ApplicationError
from partners.duplicates import group_duplicates, groups_duplicates
from partners.forms.team import GroupFilterForm, ReasonForm, SiteForm
from partners.models import Anchor, Site, VerificationStatus
from partners.selectors import group_get, group_list, group_review_queue, group_themes, site_list
from partners.services.review import group_reject, group_suspend, group_verify
from partners.services.sites import site_create, site_update

PAGE_SIZE = 25


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


class GroupQueueView(TeamRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = _page(request, group_review_queue())
        duplicates = groups_duplicates(groups=page.object_list)
        rows = [
            {"group": g, "themes": group_themes(g), "duplicates": duplicates[g.pk]}
            for g in page.object_list
        ]
        return render(request, "partners/team/queue.html", {"page": page, "rows": rows})


class GroupListView(TeamRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = GroupFilterForm(request.GET or None)
        data: dict[str, Any] = {}
        if form.is_bound:
            # Invalid values are reported and ignored; the valid ones still filter.
            form.is_valid()
            data = form.cleaned_data
        groups = group_list(
            q=data.get("q") or "",
            themes=[data.get("theme") or ""],
            neighbourhood=data.get("neighbourhood") or "",
            imd_decile=data.get("imd_decile"),
            status=data.get("status") or "",
        )
        page = _page(request, groups)
        rows = [{"group": g, "themes": group_themes(g)} for g in page.object_list]
        return render(
            request, "partners/team/list.html", {"form": form, "page": page, "rows": rows}
        )


def _detail(
    request: HttpRequest, group_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    group = group_get(group_id=group_id)
    context = {
        "group": group,
        "themes": group_themes(group),
        "duplicates": group_duplicates(group=group),
        "pending": group.status == VerificationStatus.PENDING,
        "verified": group.status == VerificationStatus.VERIFIED,
        **extra,
    }
    return render(request, "partners/team/detail.html", context, status=status)


class GroupDetailView(TeamRequiredMixin, View):
    def get(self, request: HttpRequest, group_id: int) -> HttpResponse:
        return _detail(request, group_id)


class GroupVerifyView(TeamRequiredMixin, View):
    def post(self, request: HttpRequest, group_id: int) -> HttpResponse:
        group = group_get(group_id=group_id)
        try:
            group_verify(group=group, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{group.name} is verified.")
        return redirect("partners:team-group-detail", group_id=group.pk)


class GroupReasonView(TeamRequiredMixin, View):
    """One question per page: why reject (or suspend) this group?"""

    action = ""  # "reject" or "suspend"
    titles = {"reject": "Reject", "suspend": "Suspend"}

    def _render(self, request: HttpRequest, group: Any, form: ReasonForm) -> HttpResponse:
        context = {"group": group, "form": form, "action": self.action}
        context["title"] = self.titles[self.action]
        return render(request, "partners/team/reason.html", context)

    def get(self, request: HttpRequest, group_id: int) -> HttpResponse:
        return self._render(request, group_get(group_id=group_id), ReasonForm())

    def post(self, request: HttpRequest, group_id: int) -> HttpResponse:
        group = group_get(group_id=group_id)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self._render(request, group, form)
        service = group_reject if self.action == "reject" else group_suspend
        try:
            service(group=group, by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            done = "rejected" if self.action == "reject" else "suspended"
            messages.success(request, f"{group.name} is {done}.")
        return redirect("partners:team-group-detail", group_id=group.pk)


# --- Sites -----------------------------------------------------------------------------


def _own_anchors(user: Any) -> Any:
    anchors = Anchor.objects.order_by("name")
    return anchors.filter(pk__in=anchors_for_team(user=user))


class SiteListView(TeamRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        anchor_ids = None if is_admin(user=request.user) else anchors_for_team(user=request.user)
        return render(
            request, "partners/team/sites.html", {"sites": site_list(anchor_ids=anchor_ids)}
        )


class SiteFormView(TeamRequiredMixin, View):
    """Create (no site_id) or edit a site of the user's own anchor."""

    def _site(self, request: HttpRequest, site_id: int | None) -> Site | None:
        if site_id is None:
            return None
        # Another anchor's site has no edit page for this user (404).
        return get_object_or_404(
            Site.objects.select_related("anchor"),
            pk=site_id,
            anchor_id__in=anchors_for_team(user=request.user),
        )

    def _form(self, request: HttpRequest, site: Site | None, **kwargs: Any) -> SiteForm:
        form = SiteForm(anchors=_own_anchors(request.user), **kwargs)
        if site is not None:
            # A site never moves between anchors.
            del form.fields["anchor"]
        return form

    def _render(self, request: HttpRequest, form: SiteForm, site: Site | None) -> HttpResponse:
        return render(request, "partners/team/site_form.html", {"form": form, "site": site})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request, "You can only change sites of your own anchor.")

    def get(self, request: HttpRequest, site_id: int | None = None) -> HttpResponse:
        site = self._site(request, site_id)
        initial = {}
        if site is not None:
            initial = {
                "anchor": site.anchor_id,
                "name": site.name,
                "kind": site.kind,
                "postcode": site.postcode,
                "latitude": None if site.postcode else site.latitude,
                "longitude": None if site.postcode else site.longitude,
            }
        form = self._form(request, site, initial=initial)
        return self._render(request, form, site)

    def post(self, request: HttpRequest, site_id: int | None = None) -> HttpResponse:
        site = self._site(request, site_id)
        form = self._form(request, site, data=request.POST)
        if not form.is_valid():
            return self._render(request, form, site)
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "kind": data["kind"],
            "postcode": data["postcode"].strip(),
            "latitude": data["latitude"],
            "longitude": data["longitude"],
        }
        try:
            if site is None:
                site = site_create(anchor=data["anchor"], by=request.user, **fields)
            else:
                site = site_update(site=site, by=request.user, **fields)
        except ApplicationError as error:
            for field, errors in error.extra.get("fields", {}).items():
                for message in errors:
                    form.add_error(field, message)
            return self._render(request, form, site)
        messages.success(request, f"{site.name} is saved.")
        return HttpResponseRedirect(reverse("partners:team-sites"))
