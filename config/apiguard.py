"""Requests the API refuses before any view runs, always as JSON under /api/.

- A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413. Django would raise
  RequestDataTooBig when the body is read and answer with an HTML page.
- A query parameter the OpenAPI schema does not declare for the operation:
  400 naming it. Silently ignoring ``?stauts=pending`` answers a different
  question than the one asked, and the schema is what clients (and our fuzz
  tests) are told. The schema is built once per process.
- A body field the schema does not declare for the operation, one it marks
  read-only, or a value of another JSON type than it declares: 400 naming
  each, from the same schema (config/apibody.py).
- JSON nested too deeply for Python's parser (RecursionError, a 500): 400,
  through ``SafeJSONParser``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from config.apibody import (
    Field,
    body_errors,
    body_fields,
    json_holds_nul,
    refuse_body,
    sent_fields,
)

__all__ = ["ApiGuardMiddleware", "SafeJSONParser", "too_large_response"]

# Read by Django REST framework itself (URL_FORMAT_OVERRIDE), not by our views.
FRAMEWORK_PARAMS = frozenset({"format"})
# Served by drf-spectacular; not operations of the schema they describe.
UNGUARDED = ("/api/schema/", "/api/docs/")
# Nested deeper than this, a JSON body is refused; no Backer input nests beyond 3.
MAX_JSON_DEPTH = 64


def too_large_response() -> JsonResponse:
    limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    return JsonResponse(
        {
            "message": f"The request body is too large: at most {limit} bytes.",
            "extra": {"limit_bytes": limit},
        },
        status=413,
    )


@dataclass(frozen=True)
class Operation:
    query: frozenset[str]
    # The JSON object the operation reads, by property; None: no such body.
    body: Mapping[str, Field] | None


@functools.cache
def _operations() -> tuple[tuple[re.Pattern[str], dict[str, Operation]], ...]:
    """(path regex, {method: what the operation declares}) for every path."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for template, item in schema.get("paths", {}).items():
        shared = [p for p in item.get("parameters", []) if p.get("in") == "query"]
        by_method = {}
        for method, operation in item.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            params = shared + [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            by_method[method.upper()] = Operation(
                query=frozenset(p["name"] for p in params),
                body=body_fields(operation, components),
            )
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        found.append((template.count("{"), pattern, by_method))
    # Literal paths before templated ones: /api/groups/export/ is not a group id.
    found.sort(key=lambda entry: entry[0])
    return tuple((pattern, by_method) for _, pattern, by_method in found)


def declared_operation(path: str, method: str) -> Operation | None:
    """What the schema declares for this call; None if it is no operation."""
    for pattern, by_method in _operations():
        if pattern.match(path):
            method = "GET" if method == "HEAD" else method
            return by_method.get(method)
    return None


def declared_query_params(path: str, method: str) -> frozenset[str] | None:
    """The query parameters the schema declares for this call; None if unknown."""
    operation = declared_operation(path, method)
    return None if operation is None else operation.query


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") or request.path.startswith(UNGUARDED):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large_response()
        refused = (
            self._nul_characters(request)
            or self._unknown_params(request)
            or self._undeclared_body(request)
        )
        return refused if refused is not None else self.get_response(request)

    def _nul_characters(self, request: HttpRequest) -> HttpResponse | None:
        # No text we store may hold a NUL character (PostgreSQL refuses it
        # with an error, a 500, wherever a value reaches a query): refuse it
        # at the door, in the query string or the body (its size is bounded
        # above), raw, percent-encoded where the body is a form, or escaped
        # (\u0000) in a JSON string.
        query = request.META.get("QUERY_STRING", "")
        body = request.body
        form = request.content_type == "application/x-www-form-urlencoded"
        json_body = request.content_type == "application/json"
        if (
            "%00" in query
            or "\x00" in query
            or b"\x00" in body
            or (form and b"%00" in body)
            or (json_body and json_holds_nul(body))
        ):
            return JsonResponse(
                {
                    "message": "The request holds a NUL character, which no field accepts.",
                    "extra": {},
                },
                status=400,
            )
        return None

    def _unknown_params(self, request: HttpRequest) -> HttpResponse | None:
        if request.method == "OPTIONS" or not request.GET:
            return None
        declared = declared_query_params(request.path, request.method or "GET")
        if declared is None:
            return None  # not an operation: the view or Django answers (405, 404)
        unknown = sorted(set(request.GET) - declared - FRAMEWORK_PARAMS)
        if not unknown:
            return None
        return JsonResponse(
            {
                "message": f"Unknown query parameter: {', '.join(unknown)}.",
                "extra": {"unknown": unknown, "allowed": sorted(declared)},
            },
            status=400,
        )

    def _undeclared_body(self, request: HttpRequest) -> HttpResponse | None:
        if request.method not in {"POST", "PUT", "PATCH"}:
            return None
        operation = declared_operation(request.path, request.method)
        if operation is None or operation.body is None:
            return None  # no body declared: the view or Django answers
        sent = sent_fields(request)
        if sent is None or _depth(sent[0], MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            return None  # not an object, unreadable or too deep: the parser answers
        errors = body_errors(operation.body, sent[0], form=sent[1])
        return refuse_body(errors, operation.body) if errors else None


def _depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests lists and objects, counting no further than limit+1."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class SafeJSONParser(JSONParser):
    """DRF's JSONParser, refusing deep nesting with a 400 instead of a 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON nested too deeply.") from None
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"JSON nested too deeply: at most {MAX_JSON_DEPTH} levels.")
        return data
