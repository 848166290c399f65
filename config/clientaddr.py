"""The client's address: one answer for rate limits, django-axes and anything else.

Behind a reverse proxy every request arrives from the proxy, so REMOTE_ADDR
alone would put every client in one bucket: one stranger could use up the
whole site's registrations and sign-in links. X-Forwarded-For names the
client, but anyone can send that header, so it is believed only as far as
BACKER_TRUSTED_PROXIES says:

- unset or ``0``: no proxy; REMOTE_ADDR is the client and the header is ignored;
- a count ``N``: exactly N proxies of ours stand in front, each appending the
  address it saw; the client is the N-th address from the right of
  ``X-Forwarded-For + [REMOTE_ADDR]``. Entries further left are whatever the
  client wrote. Use it only when the proxies are the only way in;
- a comma list of networks (``10.0.0.0/8,192.0.2.10``): walk from REMOTE_ADDR
  leftwards through the header while the address is one of ours; the first
  address that is not ours is the client. A peer outside the list is the
  client itself, whatever header it sends.

No Django settings are read at import, so the settings module can validate
the value with ``trusted_proxies_parse`` at start-up.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

__all__ = ["TrustedProxies", "axes_client_address", "client_address", "trusted_proxies_parse"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TrustedProxies:
    count: int = 0
    networks: tuple[Network, ...] = ()


@functools.lru_cache(maxsize=8)
def trusted_proxies_parse(value: str) -> TrustedProxies:
    """``"2"`` -> two proxies; ``"10.0.0.0/8, ::1"`` -> those networks.

    Raises ValueError naming the bad part, so a typo stops start-up.
    """
    value = value.strip()
    if not value:
        return TrustedProxies()
    if value.isdigit():
        return TrustedProxies(count=int(value))
    networks = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                "BACKER_TRUSTED_PROXIES is a count of proxies (e.g. 1) or a comma list of "
                f"networks (e.g. 10.0.0.0/8,192.0.2.10); {part!r} is neither"
            ) from None
    return TrustedProxies(networks=tuple(networks))


def _address(text: str) -> Address | None:
    text = text.strip()
    # "[2001:db8::1]:443" and "192.0.2.1:443": some proxies append the port.
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``, as text.

    Positional, so django-axes can call it (AXES_CLIENT_IP_CALLABLE).
    """
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    proxies = trusted_proxies_parse(str(getattr(settings, "BACKER_TRUSTED_PROXIES", "") or ""))
    if not proxies.count and not proxies.networks:
        return remote or "unknown"
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()] + [remote]
    if proxies.count:
        # Each of our proxies appended the peer it saw; REMOTE_ADDR is the last
        # proxy. So the (count + 1)-th hop from the right is the client, as our
        # first proxy saw it. Fewer hops: the request skipped a proxy, take the first.
        chosen = hops[-(proxies.count + 1)] if len(hops) > proxies.count else hops[0]
        parsed = _address(chosen)
        return str(parsed) if parsed is not None else (remote or "unknown")
    current = _address(remote)
    if current is None:
        return remote or "unknown"
    for hop in reversed(hops[:-1]):
        if not _trusted(current, proxies.networks):
            break
        previous = _address(hop)
        if previous is None:
            # A malformed entry written past our proxies: stop at the last
            # address we can vouch for rather than key on attacker text.
            break
        current = previous
    return str(current)


def axes_client_address(request: HttpRequest) -> str | None:
    """The client's address for django-axes (AXES_CLIENT_IP_CALLABLE): an IP address or None.

    django-axes stores the address in a GenericIPAddressField, which PostgreSQL
    keeps as ``inet``: the rate limits' placeholder ``"unknown"`` (no or an
    unreadable REMOTE_ADDR, e.g. a Unix socket) would fail the sign-in with a
    500 instead of counting it. Such attempts share one bucket: None.
    """
    parsed = _address(client_address(request))
    return str(parsed) if parsed is not None else None
