"""What every API operation can answer besides its own responses, added to
the OpenAPI schema once (drf-spectacular's postprocessing hook), so clients
and the schema fuzz know them: a body that is too large (413, from
config.apiguard) or of a media type the operation cannot read (415)."""

from __future__ import annotations

from typing import Any

ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"message": {"type": "string"}, "extra": {"type": "object"}},
            "required": ["message"],
        }
    }
}
BODY_ERRORS = {
    "413": "The request body is larger than the server accepts.",
    "415": "The request body's media type is not one this operation reads.",
}


def document_body_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"post", "put", "patch"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in BODY_ERRORS.items():
                responses.setdefault(code, {"description": description, "content": ERROR_BODY})
    return result
