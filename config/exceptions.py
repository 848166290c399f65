"""One error type for business rules and one API exception handler.

Services raise ApplicationError for a rule the caller broke ("only a pending
group can be verified"); the handler turns it, and every DRF error, into the
same body: ``{"message": str, "extra": {...}}``. Bad input is always a 4xx
with a reason, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

__all__ = ["ApplicationError", "ErrorSerializer", "api_exception_handler"]


class ApplicationError(Exception):
    """A business rule refused the request. ``message`` is fit for people."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every API error, for the schema: every app's views
    document their 400/403/404 responses with this one class, so the
    OpenAPI schema has one "Error" component."""

    message = serializers.CharField()
    extra = serializers.DictField(required=False, help_text="Details, e.g. per-field errors.")


def _as_drf(exc: Exception) -> Exception:
    # Django's own exceptions reach DRF views from services, get_object_or_404
    # and model validation; translate them so DRF answers 400/403/404, not 500.
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every API error as {"message", "extra"}."""
    if isinstance(exc, RequestDataTooBig):
        # Raised when a view reads a body over DATA_UPLOAD_MAX_MEMORY_SIZE that
        # ApiGuardMiddleware could not see coming (no Content-Length).
        return Response(
            {"message": "The request body is too large.", "extra": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "extra": exc.extra}, status=status.HTTP_400_BAD_REQUEST
        )
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error we know: let Django report it as the server fault it is.
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"message": "Validation error", "extra": {"fields": fields}}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Request refused"
        response.data = {"message": message, "extra": {}}
    return response
