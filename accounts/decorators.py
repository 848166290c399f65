"""The page guards: decorators and a mixin over accounts.access.

Anonymous callers go to a sign-in page; a signed-in user without the role
gets the 403 page saying why. A guard that resolves the user's anchors
passes them to the view, so the view never works out scope on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.apps import apps
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.access import (
    anchors_as_board_member,
    anchors_for_board,
    anchors_for_team,
    is_group_contact,
    supplier_of,
)

__all__ = [
    "TeamRequiredMixin",
    "board_member_required",
    "board_required",
    "contact_required",
    "forbidden",
    "signed_in_contact_required",
    "supplier_required",
    "team_required",
]

View = Callable[..., HttpResponse]

# Groups sign in with an e-mailed link, never at the staff password page.
GROUP_SIGN_IN = "partners:selfservice-sign-in"
TEAM_ONLY = "This page is for anchor team staff."
BOARD_ONLY = "These pages are for anchor boards and anchor teams."


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The 403 page: says why, in plain English, and where to go instead."""
    return render(request, "accounts/forbidden.html", {"message": message or TEAM_ONLY}, status=403)


def _anchors(ids: frozenset[int]) -> list[Any]:
    return list(apps.get_model("partners", "Anchor").objects.filter(id__in=ids).order_by("name"))


def _guard(
    allowed: Callable[[Any], frozenset[int] | bool],
    message: str,
    with_anchors: bool,
    login_url: str | None = None,
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                url = reverse(login_url) if login_url else None
                return redirect_to_login(request.get_full_path(), login_url=url)
            granted = allowed(request.user)
            if not granted:
                return forbidden(request, message)
            if with_anchors:
                return view(request, _anchors(granted), *args, **kwargs)  # type: ignore[arg-type]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@overload
def team_required(view: View) -> View: ...
@overload
def team_required(
    view: None = None, *, message: str = ..., with_anchors: bool = ...
) -> Callable[[View], View]: ...
def team_required(
    view: View | None = None, *, message: str = TEAM_ONLY, with_anchors: bool = False
) -> View | Callable[[View], View]:
    """Anchor team staff with at least one anchor (or an admin). With
    ``with_anchors`` the view gets those anchors, by name, after the request."""
    decorator = _guard(lambda user: anchors_for_team(user=user), message, with_anchors)
    return decorator(view) if view is not None else decorator


@overload
def board_required(view: View) -> View: ...
@overload
def board_required(
    view: None = None, *, message: str = ..., with_anchors: bool = ...
) -> Callable[[View], View]: ...
def board_required(
    view: View | None = None, *, message: str = BOARD_ONLY, with_anchors: bool = True
) -> View | Callable[[View], View]:
    """The board pages: the view gets the anchors the user may see as a board
    (accounts.access.anchors_for_board) and must show no other."""
    decorator = _guard(lambda user: anchors_for_board(user=user), message, with_anchors)
    return decorator(view) if view is not None else decorator


def board_member_required(view: View) -> View:
    """Board members only (and admins), not anchor teams: the joint board view."""
    return _guard(
        lambda user: anchors_as_board_member(user=user), "This page is for anchor boards.", False
    )(view)


def contact_required(view: View) -> View:
    """A group contact with at least one group (matching: offers, connections)."""
    return _guard(
        lambda user: is_group_contact(user=user),
        "This page is for group contacts.",
        False,
        login_url=GROUP_SIGN_IN,
    )(view)


def supplier_required(view: View) -> View:
    """A supplier's staff member with a supplier to act for. The view gets
    that supplier organisation (with its anchor) after the request."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        supplier_id = supplier_of(user=request.user)
        if supplier_id is None:
            return forbidden(request, "These pages are for an anchor's suppliers.")
        supplier = (
            apps.get_model("partners", "SupplierOrganisation")
            .objects.select_related("anchor")
            .get(pk=supplier_id)
        )
        return view(request, supplier, *args, **kwargs)

    return wrapped


def signed_in_contact_required(view: View) -> View:
    """Group self-service: signed in, else to the group sign-in page (by e-mailed
    link, not the staff sign-in); never cached. Which groups are theirs is
    the selectors' business (accounts.access.groups_for_contact): anyone
    else's group is not there (404)."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            # Back where they were going once the e-mailed link signs them in.
            return redirect_to_login(request.get_full_path(), login_url=reverse(GROUP_SIGN_IN))
        return view(request, *args, **kwargs)

    return wrapped


class TeamRequiredMixin(AccessMixin):
    """Class-based pages: anonymous to the sign-in page; signed in without an
    anchor to act for, the 403 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not anchors_for_team(user=request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
