"""The one way Backer sends an e-mail: a subject and a body template, one
recipient, plain text. E-mails are sent without a request, so their links
are made absolute from BACKER_SITE_URL.

The recipient's address is personal data: it goes to the mail server, never
to the log (callers log the row's id).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

__all__ = ["email_send", "site_url"]


def site_url(path: str) -> str:
    """An absolute link for e-mails, which are sent without a request."""
    base = settings.BACKER_SITE_URL.rstrip("/")
    return f"{base}{path}"


def email_send(*, to: str, template: str, context: Mapping[str, Any]) -> None:
    """Send ``<template>_subject.txt`` and ``<template>_body.txt`` to ``to``.

    ``template`` is a path without the suffix, e.g. ``"partners/emails/verify"``.
    The body template turns autoescaping off itself (it is plain text); the
    subject is one line, with the space around it trimmed.
    """
    send_mail(
        subject=render_to_string(f"{template}_subject.txt", dict(context)).strip(),
        message=render_to_string(f"{template}_body.txt", dict(context)),
        from_email=None,
        recipient_list=[to],
    )
