"""Site-wide pages: home, health check, accessibility statement."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import (
    anchors_for_board,
    anchors_for_team,
    is_admin,
    is_group_contact,
    supplier_of,
)
from accounts.roles import ANCHOR_TEAM, BOARD, roles_of


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def safe_next(request: HttpRequest) -> str:
    """The ``next`` a page was asked to return to, if it stays on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def sign_in_choice(request: HttpRequest) -> HttpResponse:
    """The header's "Sign in": two doors, because groups and anchor staff sign
    in differently (an e-mailed link; a password and an authenticator code)."""
    return render(request, "registration/sign_in_choice.html", {"next": safe_next(request)})


def start(request: HttpRequest) -> HttpResponse:
    """Where a sign-in lands (LOGIN_REDIRECT_URL): each role's own start page."""
    user = request.user
    user_roles = roles_of(user)
    for may, url_name in (
        (ANCHOR_TEAM in user_roles and anchors_for_team(user=user), "partners:team-queue"),
        (BOARD in user_roles and anchors_for_board(user=user), "board:board"),
        (is_group_contact(user=user), "partners:selfservice-dashboard"),
        (supplier_of(user=user) is not None, "matching:supplier-home"),
        (is_admin(user=user), "admin:index"),
    ):
        if may:
            return redirect(reverse(url_name))
    return redirect("home")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON under /api/ (what API clients and the schema expect), a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Not found.", "extra": {}}, status=404)
    return render(request, "404.html", status=404)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not reachable" to a load balancer
        return "unreachable"
    return "ok"


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from config.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            # One quick attempt: a health check must answer fast, not retry for minutes.
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception:
        return "unreachable"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok" and broker in {"ok", "in-process"}
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
