"""Helpers shared by the matching pages: role checks and the acting anchor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from matching.access import board_anchor_ids, contact_group_ids, team_anchor_ids
from partners.models import Anchor

View = Callable[..., HttpResponse]


def _requires(check: Callable[[Any], bool], login_url: str | None = None) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                url = reverse(login_url) if login_url else None
                return redirect_to_login(request.get_full_path(), login_url=url)
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


team_required = _requires(lambda user: bool(team_anchor_ids(user=user)))
board_required = _requires(lambda user: bool(board_anchor_ids(user=user)))
# Groups sign in with an e-mailed link, never at the staff password page.
contact_required = _requires(
    lambda user: bool(contact_group_ids(user=user)), login_url="partners:selfservice-sign-in"
)


def acting_anchor(request: HttpRequest) -> Anchor:
    """The anchor the team member is working for: ?anchor=<slug> among their
    own, else the first of them by name."""
    ids = team_anchor_ids(user=request.user)
    anchors = Anchor.objects.filter(pk__in=ids).order_by("name")
    slug = request.GET.get("anchor") or request.POST.get("anchor")
    if slug:
        chosen = anchors.filter(slug=slug).first()
        if chosen is None:
            raise PermissionDenied
        return chosen
    first = anchors.first()
    if first is None:
        raise PermissionDenied
    return first
