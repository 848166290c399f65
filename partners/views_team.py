"""Anchor team pages: the verification queue, group search and detail,
verify / reject / suspend, and the team's own anchor's sites.

Views stay thin: forms check input, services write, selectors read, and
accounts decides who may do what (the API uses the same rules).
"""

from __future__ import annotations

from typing import Any

from django import forms
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
from partners.models import Anchor, Site, SiteKind, Theme, VerificationStatus
from partners.selectors import group_get, group_list, group_review_queue, group_themes, site_list
from partners.services.review import (
    REASON_MAX_LENGTH,
    group_reject,
    group_suspend,
    group_verify,
    site_create,
    site_update,
)
from places.models import Neighbourhood

PAGE_SIZE = 25
DECILE_CHOICES = [("", "Any decile")] + [
    (str(d), f"{d}{' (most deprived)' if d == 1 else ' (least deprived)' if d == 10 else ''}")
    for d in range(1, 11)
]


class GroupFilterForm(forms.Form):
    q = forms.CharField(label="Search words", required=False, max_length=200)
    theme = forms.ChoiceField(label="Theme", required=False)
    neighbourhood = forms.ChoiceField(label="Neighbourhood", required=False)
    imd_decile = forms.TypedChoiceField(
        label="Deprivation decile",
        required=False,
        choices=DECILE_CHOICES,
        coerce=int,
        empty_value=None,
        help_text="1 is the most deprived tenth of neighbourhoods in England.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *VerificationStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [  # type: ignore[attr-defined]
            ("", "Any theme"),
            *list(Theme.objects.filter(active=True).values_list("slug", "name")),
        ]
        # Only neighbourhoods that have groups: a list of every LSOA in a
        # city would be hundreds of options nobody needs.
        hoods = (
            Neighbourhood.objects.filter(groups__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        choices = [("", "Any neighbourhood")]
        choices += [(code, f"{name} ({code})") for code, name in hoods]
        self.fields["neighbourhood"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Enter the reason"},
    )


class SiteForm(forms.Form):
    anchor = forms.ModelChoiceField(
        label="Anchor", queryset=Anchor.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the site's name"}
    )
    kind = forms.ChoiceField(label="Kind of site", choices=SiteKind.choices)
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="We find the site on the map from its postcode. Or leave it blank and enter "
        "a latitude and longitude below.",
    )
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)

    def __init__(self, *args: Any, anchors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anchor"].queryset = anchors  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not data.get("postcode") and not has_point and not self.has_error("latitude"):
            self.add_error("postcode", "Enter a postcode, or a latitude and longitude")
        return data


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
