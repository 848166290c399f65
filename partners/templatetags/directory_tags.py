"""The public directory's entries, written as HTML here rather than by
template tags and includes (issue 18): a page of 20 entries cost some 3 ms
of Django template nodes, more than the page's queries and the rest of the
page together; this writes the same HTML in under 1 ms.

Every value goes through ``format_html``, so each is escaped; dates are in
the site's time zone and numbers formatted as the template filters do them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as Day
from functools import lru_cache
from typing import TYPE_CHECKING

from django import template
from django.template.defaultfilters import date, floatformat, truncatewords
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language

if TYPE_CHECKING:
    from partners.models import CommunityGroup
    from partners.selectors_directory import DirectoryEntry, ListedGroup

register = template.Library()

# How much of a description the search results show.
SUMMARY_WORDS = 40
_EMPTY = mark_safe("")


@register.simple_tag
def published_contacts(group: CommunityGroup | ListedGroup) -> SafeString:
    """What the group chose to publish (website, e-mail, phone) as a summary
    list; nothing when it published none. Never its private contact."""
    rows = []
    if group.website:
        rows.append(
            format_html(
                '<dt>Website</dt><dd><a href="{}" rel="nofollow noopener">{}</a></dd>',
                group.website,
                group.website,
            )
        )
    if group.public_email:
        rows.append(
            format_html(
                '<dt>Email</dt><dd><a href="mailto:{}">{}</a></dd>',
                group.public_email,
                group.public_email,
            )
        )
    if group.public_phone:
        rows.append(format_html("<dt>Phone</dt><dd>{}</dd>", group.public_phone))
    if not rows:
        return _EMPTY
    return format_html('<dl class="summary-list">\n  {}\n</dl>', mark_safe("\n  ".join(rows)))


@register.filter
def checked_on(group: CommunityGroup | ListedGroup) -> str:
    """When the group was last checked, as a day in the site's time zone
    (the search results and the group's own page)."""
    return _day(localtime(group.last_checked_at).date(), get_language())


@lru_cache(maxsize=1024)
def _day(day: Day, language: str | None) -> str:
    """``day`` as "6 December 2026", its month named in ``language`` (the
    active one). Kept, as nothing else changes it: Django's date filter took
    some 40% of each directory entry's time (issue 18), and the days a
    directory shows are the 400 or so of the last 13 months."""
    return date(day, "j F Y")


# A group id no database reaches, reversed in place of each group's.
_ANY_ID = 918_273_645
_DETAIL_URL = "directory_tags.detail_url"  # its render_context key


def detail_url_maker() -> Callable[[int], str]:
    """Each group's directory page's address: reversed once (Django's
    reverse() cost as much as the rest of an entry), then each id put in."""
    head, tail = reverse("partners:directory-detail", args=[_ANY_ID]).rsplit(str(_ANY_ID), 1)
    return lambda group_id: f"{head}{group_id}{tail}"


@register.simple_tag(takes_context=True)
def directory_entry(context: template.Context, entry: DirectoryEntry[ListedGroup]) -> SafeString:
    """One search result: name (linking to the group's page), the start of
    its description, themes, neighbourhood, distance when searched near a
    postcode, when it was checked, and what it published."""
    group = entry.group
    # Reversed once in each rendering of the page.
    detail_url = context.render_context.get(_DETAIL_URL)
    if detail_url is None:
        detail_url = context.render_context[_DETAIL_URL] = detail_url_maker()
    distance = _EMPTY
    if entry.distance_miles is not None:
        distance = format_html(
            "\n    <dt>Distance</dt><dd>{} miles{}</dd>",
            floatformat(entry.distance_miles, 1),
            " (from the middle of its neighbourhood)" if group.meets_at_home else "",
        )
    return format_html(
        "<article>\n"
        '  <h3><a href="{url}">{name}</a></h3>\n'
        "  <p>{summary}</p>\n"
        '  <dl class="summary-list">\n'
        "    <dt>Themes</dt><dd>{themes}</dd>\n"
        "    <dt>Neighbourhood</dt><dd>{neighbourhood}</dd>{distance}\n"
        "    <dt>Details</dt><dd>Last checked {checked}</dd>\n"
        "  </dl>\n"
        "  {published}\n"
        "</article>",
        url=detail_url(group.pk),
        name=group.name,
        summary=truncatewords(group.description, SUMMARY_WORDS),
        themes=", ".join(entry.themes) or "None given",
        neighbourhood=group.neighbourhood_name or "Not known",
        distance=distance,
        checked=checked_on(group),
        published=published_contacts(group),
    )
