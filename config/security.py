"""Sign-in protection: tiered lock-outs, two-factor enforcement, session limits.

Lock-outs key on the *combination* of user name and client address
(AXES_LOCKOUT_PARAMETERS), so a stranger guessing passwords from elsewhere
locks out only themselves, never the named user. The cool-off grows in tiers
with the number of failures for that combination.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.roles import ANCHOR_TEAM, BOARD, SUPPLIER, roles_of
from config.clientaddr import axes_client_address

# (failures at least, cool-off). Checked from the top: the first match wins.
LOCKOUT_TIERS: tuple[tuple[int, timedelta], ...] = (
    (20, timedelta(hours=24)),
    (10, timedelta(hours=1)),
    (0, timedelta(minutes=15)),
)


def lockout_cooloff(request: HttpRequest | None) -> timedelta:
    """AXES_COOLOFF_TIME: longer cool-offs for persistent guessing."""
    failures = 0
    if request is not None:
        from axes.models import AccessAttempt

        username = request.POST.get("username", "") if request.method == "POST" else ""
        address = getattr(request, "axes_ip_address", None) or axes_client_address(request)
        attempt = (
            AccessAttempt.objects.filter(username=username, ip_address=address)
            .values_list("failures_since_start", flat=True)
            .first()
        )
        failures = attempt or 0
    for at_least, cooloff in LOCKOUT_TIERS:
        if failures >= at_least:
            return cooloff
    return LOCKOUT_TIERS[-1][1]


def needs_second_factor(user: object) -> bool:
    """Anchor team, board and supplier staff hold others' data (a supplier,
    the contacts of groups that accepted its pledge) or see decisions: ASVS L2."""
    return bool(roles_of(user) & {ANCHOR_TEAM, BOARD, SUPPLIER, "admin"})


# Paths a signed-in user may reach before completing the second factor.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/accessibility/")

SESSION_STARTED = "backer_session_started"
SESSION_LAST_SEEN = "backer_last_seen"


class SessionLimitsMiddleware:
    """Ends idle sessions after BACKER_SESSION_IDLE_SECONDS (30 minutes) and
    every session after BACKER_SESSION_MAX_SECONDS (12 hours), whatever its use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if (
                now - last_seen > settings.BACKER_SESSION_IDLE_SECONDS
                or now - started > settings.BACKER_SESSION_MAX_SECONDS
            ):
                logout(request)
                return redirect(f"{reverse('login')}?next={request.path}&expired=1")
            request.session[SESSION_STARTED] = started
            # Written at most once a minute: a session save per request is wasted I/O.
            if now - last_seen >= 60 or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends anchor team, board and admin users who have not passed a second
    factor in this session to set one up or to enter a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.BACKER_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and needs_second_factor(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"message": "Complete two-factor sign-in first.", "extra": {}}, status=403
                )
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
