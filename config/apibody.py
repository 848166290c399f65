"""The body half of the API guard (config/apiguard.py): a write's body holds
only what the OpenAPI schema declares for the operation.

The schema is what clients, and our fuzz tests, are told. DRF ignores a
field its serializer does not know or marks read-only, and coerces a value
of the wrong JSON type (``"12"`` for an integer, ``12`` for a text,
``"yes"`` for true), so a client's mistake was answered 200 and saved as
something it did not send. Each is refused here with a 400 naming every
field at fault at once. What the types cannot say (a date's format, a
number's range, a slug that names nothing) is left to the serializers.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError

__all__ = [
    "BodyErrors",
    "Field",
    "body_errors",
    "body_fields",
    "json_holds_nul",
    "refuse_body",
    "sent_fields",
]

# Read by Django's CSRF check from a form body, not by our views.
FRAMEWORK_FIELDS = frozenset({"csrfmiddlewaretoken"})
# How a JSON type is named to people, after "must be".
TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
FORMAT_WORDS = {"date": "a date (YYYY-MM-DD)", "date-time": "a date and time (ISO 8601)"}


@dataclass(frozen=True)
class Field:
    """One property of a body: its JSON types (None: any), the types of its
    items if it is a list, whether only Backer sets it, and its types in words."""

    types: frozenset[str] | None
    items: frozenset[str] | None
    read_only: bool
    must_be: str


def _resolve(node: Any, components: Mapping[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = components.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node if isinstance(node, dict) else {}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _types(node: Any, components: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a property's schema allows; None where it says nothing."""
    node = _resolve(node, components)
    branches = node.get("oneOf") or node.get("anyOf") or node.get("allOf")
    if branches:
        found = [_types(branch, components) for branch in branches]
        if any(types is None for types in found):
            return None
        return frozenset().union(*(types for types in found if types is not None))
    declared = node.get("type")
    if declared is None and "enum" not in node:
        return None
    types = {declared} if isinstance(declared, str) else set(declared or ())
    types.update(_json_type(value) for value in node.get("enum", ()))
    if node.get("nullable"):
        types.add("null")
    return frozenset(types)


def _in_words(types: frozenset[str] | None, string_format: str | None = None) -> str:
    if types is None:
        return "anything"
    # null last: "a whole number or null".
    words = [
        FORMAT_WORDS.get(string_format or "", "text") if t == "string" else TYPE_WORDS.get(t, t)
        for t in sorted(types, key=lambda t: (t == "null", t))
    ]
    return " or ".join(words)


def body_fields(
    operation: Mapping[str, Any], components: Mapping[str, Any]
) -> dict[str, Field] | None:
    """The properties of the JSON object an operation reads, from its schema;
    None if it reads none, or allows other properties too."""
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    schema = _resolve((media or {}).get("schema"), components)
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, dict):
        return None
    if schema.get("additionalProperties") not in (None, False):
        return None
    fields = {}
    for name, node in properties.items():
        node = _resolve(node, components)
        types = _types(node, components)
        items = _types(node.get("items"), components) if types == frozenset({"array"}) else None
        must_be = _in_words(types, node.get("format"))
        if items is not None:
            must_be = f"a list of {_in_words(items)}"
        fields[name] = Field(
            types=types, items=items, read_only=bool(node.get("readOnly")), must_be=must_be
        )
    return fields


def _fits(value: Any, types: frozenset[str] | None) -> bool:
    if types is None:
        return True
    found = _json_type(value)
    # 12.0 is not a whole number here: a count sent as a float is a client's slip.
    return found in types or (found == "integer" and "number" in types)


@dataclass(frozen=True)
class BodyErrors:
    unknown: list[str]
    read_only: list[str]
    wrong_type: dict[str, str]  # name -> what it must be, in words

    def __bool__(self) -> bool:
        return bool(self.unknown or self.read_only or self.wrong_type)


def body_errors(fields: Mapping[str, Field], sent: Mapping[str, Any], *, form: bool) -> BodyErrors:
    """What is wrong with a body's top-level fields: not declared, read-only,
    or of another type. A form's values are all text (``sent`` holds each
    field's list of values), so of a form only a repeated value of a field
    that is not a list is a wrong type."""
    errors = BodyErrors(unknown=[], read_only=[], wrong_type={})
    for name, value in sorted(sent.items()):
        field = fields.get(name)
        if field is None:
            if not (form and name in FRAMEWORK_FIELDS):
                errors.unknown.append(name)
        elif field.read_only:
            errors.read_only.append(name)
        elif form:
            if len(value) > 1 and field.types is not None and "array" not in field.types:
                errors.wrong_type[name] = "one value, not several"
        elif not _fits(value, field.types) or (
            field.items is not None and not all(_fits(item, field.items) for item in value)
        ):
            errors.wrong_type[name] = field.must_be
    return errors


def sent_fields(request: HttpRequest) -> tuple[dict[str, Any], bool] | None:
    """The body's top-level fields as sent (a form's as lists of values), and
    whether it is a form; None if it is no object we read: the parser answers
    (not JSON, not an object, a media type the operation does not take)."""
    content_type = request.content_type
    form: QueryDict
    if content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):
            return None
        return (data, False) if isinstance(data, dict) else None
    if content_type == "application/x-www-form-urlencoded":
        form = QueryDict(request.body, encoding=request.encoding)
    elif content_type == "multipart/form-data":
        stream = io.BytesIO(request.body)
        try:
            parser = MultiPartParser(
                request.META, stream, request.upload_handlers, request.encoding
            )
            data, files = parser.parse()
        except MultiPartParserError:
            return None  # no or a bad boundary: the parser answers
        form = data.copy()
        form.update(files)
    else:
        return None
    return {name: form.getlist(name) for name in form}, True


def refuse_body(errors: BodyErrors, fields: Mapping[str, Field]) -> JsonResponse:
    """One 400 naming every field at fault, each with its reason under
    ``extra.fields`` as DRF's validation errors have them."""
    parts, reasons = [], {}
    if errors.unknown:
        parts.append(f"Unknown field: {', '.join(errors.unknown)}.")
        reasons.update({name: ["Not a field of this operation."] for name in errors.unknown})
    if errors.read_only:
        parts.append(f"Read-only field: {', '.join(errors.read_only)}.")
        reasons.update({name: ["Read-only: Backer sets it."] for name in errors.read_only})
    if errors.wrong_type:
        wrong = [f"{name} must be {what}" for name, what in errors.wrong_type.items()]
        parts.append(f"Wrong type: {'; '.join(wrong)}.")
        reasons.update({name: [f"Must be {what}."] for name, what in errors.wrong_type.items()})
    extra = {
        "fields": reasons,
        "unknown": errors.unknown,
        "read_only": errors.read_only,
        "allowed": sorted(name for name, field in fields.items() if not field.read_only),
    }
    return JsonResponse({"message": " ".join(parts), "extra": extra}, status=400)


def json_holds_nul(body: bytes) -> bool:
    """Whether a JSON body holds a NUL character escaped as \\u0000, which the
    raw-byte check cannot see and PostgreSQL refuses (a 500) in any text."""
    if b"\\u0000" not in body.lower():
        return False
    try:
        stack = [json.loads(body)]
    except (ValueError, RecursionError):
        return False
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
