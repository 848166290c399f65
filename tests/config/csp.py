"""Reading a Content-Security-Policy header source by source, for the tests.

Substring checks ("no https: in the header") miss a host written without a
scheme (``cdn.example.org``), a wildcard (``*``) or a bare scheme (``https:``).
So every source of every directive must be one of an allowlist: ``'self'``,
``'none'``, a nonce, a hash, or ``data:`` where it is needed. Anything else —
any host, with or without a scheme — is reported.
"""

from __future__ import annotations

import re

KEYWORDS = {"'self'", "'none'"}
NONCE = re.compile(r"^'nonce-[A-Za-z0-9+/_=-]+'$")
HASH = re.compile(r"^'sha(256|384|512)-[A-Za-z0-9+/_=-]+'$")
# data: URIs are needed for Leaflet's marker images and icons only.
DATA_ALLOWED_IN = {"img-src"}


def csp_parse(header: str) -> dict[str, list[str]]:
    """``"default-src 'self'; img-src 'self' data:"`` -> {directive: [sources]}."""
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            policy[tokens[0].lower()] = tokens[1:]
    return policy


def csp_disallowed(
    header: str, *, also: dict[str, set[str]] | None = None
) -> list[tuple[str, str]]:
    """(directive, source) pairs outside the allowlist; ``also`` widens it per directive."""
    bad = []
    for directive, sources in csp_parse(header).items():
        for source in sources:
            if source in KEYWORDS or NONCE.match(source) or HASH.match(source):
                continue
            if source == "data:" and directive in DATA_ALLOWED_IN:
                continue
            if source in (also or {}).get(directive, set()):
                continue
            bad.append((directive, source))
    return bad
