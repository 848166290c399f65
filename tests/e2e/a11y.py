"""axe-core in a real browser: inject it, run the WCAG A and AA rules, and
report every violation with where it is and how to fix it.

axe-core comes from the npm registry through package.json (`make install`
runs `npm ci`); it is never copied into the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (2.2 added no new level-A rules to axe).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""

# The boxes a person types into: emptied before a form is submitted "empty".
TEXT_TYPES = (
    "input[type=text], input[type=email], input[type=tel], input[type=url], "
    "input[type=number], input[type=search], input[type=date], input[type=password], "
    "input:not([type]), textarea"
)


BROKEN_SUMMARY_LINKS = """() => [...document.querySelectorAll(".error-summary a")]
  .map(a => a.getAttribute("href") || "")
  .filter(href => !href.startsWith("#") || !document.getElementById(href.slice(1)))"""


# axe only marks an aria-describedby that points at no element as "needs
# review"; a hint or error that is never read out is a failure for us.
BROKEN_IDREFS = """() => {
  const broken = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"]) {
    for (const e of document.querySelectorAll(`[${attr}]`)) {
      for (const id of e.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) broken.push(`${e.tagName.toLowerCase()}#${e.id} ${attr}=${id}`);
      }
    }
  }
  return broken;
}"""


# WCAG 1.4.10 Reflow: content must work at 320 CSS px (1280 px at 400%) without
# scrolling sideways; only a table or map may scroll within its own region.
REFLOW_WIDTH = 320
PAGE_WIDTH = """() => document.documentElement.scrollWidth"""
# What sticks out past the right edge, outside any box that scrolls or clips it,
# while its parent does not: the element to fix.
WIDE_ELEMENTS = """(width) => {
  const clipped = (e) => {
    // An absolute element is clipped only by a scrolling box it is positioned in.
    let absolute = getComputedStyle(e).position === "absolute";
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== "visible" && !absolute) return true;
      if (absolute && style.position !== "static") absolute = false;
    }
    return false;
  };
  const wide = (e) => e.getBoundingClientRect().right > width + 0.5;
  return [...document.querySelectorAll("body *")]
    .filter(e => wide(e) && !clipped(e) && (e.parentElement === document.body || !wide(e.parentElement)))
    .map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`
      + `${typeof e.className === "string" && e.className ? "." + e.className.trim().replace(/\\s+/g, ".") : ""}`
      + ` (${Math.round(e.getBoundingClientRect().right)} px)`)
    .slice(0, 5);
}"""


def session_cookie(user: Any, url: str) -> dict[str, str]:
    """The session cookie of ``user``, signed in without the login form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The WCAG A/AA violations axe finds in the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run `make install` (npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # An inline script: only allowed because the audit context bypasses CSP.
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    if broken := page.evaluate(BROKEN_IDREFS):
        violations.append(
            {
                "id": "idref-exists",
                "impact": "serious",
                "help": "ARIA references must point at an element on the page",
                "helpUrl": "https://www.w3.org/TR/wai-aria-1.2/#aria-describedby",
                "targets": broken,
            }
        )
    return violations


def reflow_violations(page: Any, width: int = REFLOW_WIDTH) -> list[dict[str, Any]]:
    """A violation when the page, at ``width`` CSS px wide, scrolls sideways."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"] if before else 720})
    try:
        scroll_width = page.evaluate(PAGE_WIDTH)
        wide = page.evaluate(WIDE_ELEMENTS, width) if scroll_width > width else []
    finally:
        if before:
            page.set_viewport_size(before)
    if scroll_width <= width:
        return []
    return [
        {
            "id": "reflow",
            "impact": "serious",
            "help": f"The page is {scroll_width} px wide at {width} px: it scrolls sideways",
            "helpUrl": "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
            "targets": wide,
        }
    ]


def describe(label: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{label}: {len(violations)} violation(s)"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines.extend(f"      at {target}" for target in v["targets"][:10])
    return "\n".join(lines)


def fill_form(form: Any, answers: dict[str, Any]) -> None:
    """Type each answer into the field of that name, or tick the choices."""
    for name, value in answers.items():
        inputs = form.locator(f"[name='{name}']")
        first = inputs.first
        kind = (first.get_attribute("type") or "").lower()
        if kind in ("radio", "checkbox"):
            wanted = value if isinstance(value, list) else [value]
            for i in range(inputs.count()):
                box = inputs.nth(i)
                if box.get_attribute("value") in wanted or (kind == "checkbox" and value == "on"):
                    box.check()
        elif first.evaluate("e => e.tagName") == "SELECT":
            first.select_option(str(value))
        else:
            first.fill(str(value))


@dataclass
class Audit:
    """Visits pages in one browser page, runs axe on each state, and reports
    everything found at the end, so one run shows every page's problems."""

    page: Any
    base_url: str
    found: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def sign_in(self, user: Any) -> None:
        """Become ``user`` (or nobody, for None) for the pages that follow."""
        self.page.context.clear_cookies()
        if user is not None:
            self.page.context.add_cookies([session_cookie(user, self.base_url)])

    def visit(self, path: str, *, status: int = 200, label: str | None = None) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, (
            f"{path}: HTTP {response.status if response else None}, wanted {status}"
        )
        # A redirect (to a sign-in page, say) would audit the wrong page.
        assert urlparse(self.page.url).path == urlparse(path).path, (
            f"{path} went to {self.page.url}"
        )
        self.check(label or path)

    def check(self, label: str) -> None:
        assert label not in self.found, f"{label} audited twice: give it a label"
        # Every audited state is also looked at 320 px wide (WCAG 1.4.10).
        self.found[label] = axe_violations(self.page) + reflow_violations(self.page)

    def form(self, selector: str = "main form:has(.form-group)") -> Any:
        return self.page.locator(selector).last

    def submit(
        self,
        label: str,
        *,
        answers: dict[str, Any] | None = None,
        selector: str = "main form:has(.form-group)",
        button: str | None = None,
        clear: bool = True,
        expect_errors: bool = True,
    ) -> None:
        """Submit the form (emptied, or with ``answers``) and audit the result:
        by default an error state, with its error summary."""
        form = self.form(selector)
        if clear:
            for box in form.locator(TEXT_TYPES).all():
                if box.is_editable() and box.is_visible():
                    box.fill("")
        if answers:
            fill_form(form, answers)
        submit = form.locator(button or "button[type=submit], input[type=submit]").first
        with self.page.expect_navigation():
            submit.click()
        if expect_errors:
            assert self.page.locator(".error-summary").count() == 1, (
                f"{label}: no error summary at {self.page.url}"
            )
            # Each summary link must lead to a field on the page (GOV.UK pattern).
            broken = self.page.evaluate(BROKEN_SUMMARY_LINKS)
            assert not broken, f"{label}: error summary links to nothing: {broken}"
        self.check(label)

    def assert_clean(self) -> None:
        dirty = {label: v for label, v in self.found.items() if v}
        report = "\n".join(describe(label, v) for label, v in dirty.items())
        assert not dirty, (
            f"axe found violations on {len(dirty)} of {len(self.found)} states:\n{report}"
        )
