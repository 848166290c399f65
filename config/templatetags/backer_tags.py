"""Template tags shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from config.forms import form_error_links

register = template.Library()


@register.filter
def error_links(form: Any) -> list[tuple[str, str]]:
    """(id, message) for the error summary (includes/error_summary.html)."""
    return form_error_links(form)


class ScrollRegionNode(template.Node):
    def __init__(self, label_id: list[FilterExpression], nodelist: NodeList) -> None:
        self.label_id = label_id
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        opening = format_html(
            '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="{}">',
            "".join(str(part.resolve(context)) for part in self.label_id),
        )
        return opening + self.nodelist.render(context) + mark_safe("</div>")


@register.tag
def scroll_region(parser: Parser, token: Token) -> ScrollRegionNode:
    """``{% scroll_region "caption-id" %}<table>…</table>{% endscroll_region %}``

    The id may be given in parts, joined: ``{% scroll_region "blocks-" round.pk %}``.

    A table wider than a 320 px screen scrolls inside this box instead of
    making the whole page scroll sideways (WCAG 1.4.10). The box is a named
    region that takes focus, so a keyboard alone can scroll it (axe's
    scrollable-region-focusable) and a screen reader says what it holds: the
    element whose id is given, usually the table's caption or heading.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs the id of its label")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode([parser.compile_filter(bit) for bit in bits[1:]], nodelist)
