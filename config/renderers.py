"""The API's JSON, written by orjson (issue 18).

DRF's JSONRenderer writes with the standard library's encoder: 0.23 ms for a
page of 50 groups, some 8% of the API list's CPU, against 0.014 ms with
orjson (tests/bench: the two in one process). ``JSONRenderer`` writes what
DRF's would write, with orjson where that gives the same JSON:

- dates and times, Decimals, lazy strings, querysets, numpy values... are
  handed to DRF's own encoder (``default``), so their forms are DRF's;
- U+2028 and U+2029 are escaped, as DRF escapes them for JavaScript;
- indented output (the browsable API, ``Accept: ...; indent=4``), ASCII
  output (``UNICODE_JSON = False``), non-compact output, NaN written as
  NaN (``STRICT_JSON = False``) and whatever orjson
  will not write (an integer beyond 64 bits, a key that is not a string)
  go to DRF's renderer.

Two differences remain. A small float is spelt otherwise, the same value:
``0.0000125`` and ``1e-7`` where Python writes ``1.25e-05`` and ``1e-07``.
A float that is not a number (NaN, infinity) is written ``null`` where DRF
raised ValueError (a 500).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers

__all__ = ["JSONRenderer"]

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# What DRF's renderer escapes after encoding, for JavaScript's sake.
_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent is not None or self.ensure_ascii or not self.compact or not self.strict:
            return bytes(super().render(data, accepted_media_type, renderer_context))
        try:
            written = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return bytes(super().render(data, accepted_media_type, renderer_context))
        for raw, escaped in _SEPARATORS:
            if raw in written:
                written = written.replace(raw, escaped)
        return written
