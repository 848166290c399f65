"""A small fixed-window rate limit per client address, kept in Django's cache.

Production needs a cache shared by every web process (CACHE_URL=redis://...):
with the default per-process memory cache each gunicorn worker counts alone.

Addresses are hashed before they become cache keys: an IP address is personal
data, and IPv6 colons are not safe in every cache backend's keys.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from config.clientaddr import client_address

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window resets; 0 when allowed


def rate_parse(*, rate: str) -> Rate:
    """``"5/h"`` -> Rate(5, 3600). Raises ValueError naming the bad value."""
    try:
        count, unit = rate.strip().split("/")
        limit = int(count)
        period = _PERIODS[unit.strip().lower()[:1]]
    except (ValueError, KeyError):
        raise ValueError(f"A rate looks like '5/h' (per s, m, h or d); got {rate!r}") from None
    if limit < 1:
        raise ValueError(f"A rate allows at least 1 request, like '5/h'; got {rate!r}")
    return Rate(limit=limit, period=period)


def ratelimit_hit(*, scope: str, key: str, rate: str, now: float | None = None) -> RateDecision:
    """Count one request against ``rate`` for ``key`` within ``scope``."""
    parsed = rate_parse(rate=rate)
    now = time.time() if now is None else now
    window = int(now // parsed.period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    # add() is atomic and a no-op if the key exists; incr() is atomic on Redis
    # and memcached, so concurrent requests cannot both see the same count.
    cache.add(cache_key, 0, timeout=parsed.period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add() and incr(): a new window has begun.
        cache.add(cache_key, 1, timeout=parsed.period + 1)
        count = 1
    if count <= parsed.limit:
        return RateDecision(allowed=True, retry_after=0)
    retry_after = max(1, int((window + 1) * parsed.period - now))
    return RateDecision(allowed=False, retry_after=retry_after)


def request_limited(*, request: HttpRequest, scope: str, rate: str) -> HttpResponse | None:
    """A 429 "Too many attempts" page if this address is over ``rate``, else None."""
    decision = ratelimit_hit(scope=scope, key=client_address(request), rate=rate)
    if decision.allowed:
        return None
    minutes = max(1, round(decision.retry_after / 60))
    body = render_to_string(
        "partners/registration/too_many.html", {"minutes": minutes}, request=request
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


def setting_rate(name: str, default: str) -> str:
    """A rate from settings, validated so a typo fails on first use, loudly."""
    rate = str(getattr(settings, name, default) or default)
    rate_parse(rate=rate)
    return rate
