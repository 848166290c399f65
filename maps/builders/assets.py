"""Where a map's JavaScript and CSS come from, and inlining them for a download.

folium 0.20 points every element at CDNs (four scripts, six stylesheets for
a bare map, more per plugin). Our maps load only what they use, from our
own origin: hospital networks often block CDNs and the frame's
Content-Security-Policy allows no third-party host. The URLs are passed in
(``MapAssets``), so the builders stay free of Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MapAssets", "assets_apply", "html_inline_assets"]


@dataclass(frozen=True)
class MapAssets:
    """(name, url) pairs, in load order; names as folium uses them."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(url for _, url in (*self.js, *self.css))


def _elements(root: Any) -> Iterator[Any]:
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def assets_apply(folium_map: Any, assets: MapAssets) -> None:
    """Load ``assets`` once from the map, and nothing that any element lists itself."""
    for element in _elements(folium_map):
        if hasattr(element, "default_js"):
            element.default_js = []
        if hasattr(element, "default_css"):
            element.default_css = []
    folium_map.default_js = list(assets.js)
    folium_map.default_css = list(assets.css)


_SCRIPT = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"\s*/?>')


def html_inline_assets(html: str, *, read: Callable[[str], str] | Mapping[str, str]) -> str:
    """``html`` with each external script and stylesheet replaced by its content,
    so a downloaded map works offline and from any folder.

    ``read`` maps a URL to the file's text; a URL it cannot read raises
    KeyError (a download that silently half-works is worse than an error).
    """
    lookup: Callable[[str], str] = read.__getitem__ if isinstance(read, Mapping) else read

    def script(match: re.Match[str]) -> str:
        # "</script" inside the code would end the element early; "<\/" is the
        # same string to JavaScript.
        body = lookup(match["url"]).replace("</script", "<\\/script")
        return f"<script>{body}</script>"

    def stylesheet(match: re.Match[str]) -> str:
        body = lookup(match["url"]).replace("</style", "<\\/style")
        return f"<style>{body}</style>"

    return _STYLESHEET.sub(stylesheet, _SCRIPT.sub(script, html))
