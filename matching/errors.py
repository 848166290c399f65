"""Errors the matching services raise, and how the API turns them into answers.

Every error is an ``ApplicationError``: a plain-English ``message`` for a
person and a dict of ``extra`` facts for a program. The API answers it as
``{"message": ..., "extra": {...}}`` with the error's HTTP status; pages show
the message. Nothing here ever carries personal data.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from config.exceptions import ApplicationError as ProjectApplicationError
from config.exceptions import api_exception_handler as project_exception_handler


class ApplicationError(ProjectApplicationError):
    """The project's ApplicationError, with the HTTP status the API answers."""

    status_code = 400


class NotAllowed(ApplicationError):
    """The user may not do this to this object (another anchor's, or wrong role)."""

    status_code = 403


class NotFound(ApplicationError):
    status_code = 404


class IllegalTransition(ApplicationError):
    """The match is not in a state this action applies to (or it changed meanwhile)."""

    status_code = 409


class CapacityExhausted(ApplicationError):
    """Approving would take the resource beyond its capacity."""

    status_code = 409


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project's handler (config/exceptions.py), except that our errors
    keep their own status: 403 for another anchor's, 409 for a full resource."""
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status_code)
    return project_exception_handler(exc, context)
