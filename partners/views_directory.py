"""The public directory: verified groups that agreed to be listed.

Only what a group chose to publish is shown (website, public e-mail and
phone). A group that meets at a private home is shown at its neighbourhood
only: no address, no postcode, and distances are measured from the
neighbourhood's representative point, never from the home.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from config.paging import BoundedPaginator
from partners.forms.directory import DirectorySearchForm
from partners.selectors_directory import directory_group_get, directory_search

PAGE_SIZE = 20
# Rendered search forms kept by this process, the most recently used.
FORMS_KEPT = 256
_forms: OrderedDict[tuple[Any, ...], SafeString] = OrderedDict()
# A threaded server (runserver, gunicorn's gthread) shares _forms: a move
# after another request's eviction would raise KeyError.
_forms_lock = threading.Lock()


def search_form_html(form: DirectorySearchForm) -> SafeString:
    """The search form's HTML, rendered once for each set of theme choices,
    values and errors this process meets (issue 18: Django's widget
    templates, a checkbox each theme, were about 40% of the page's time).
    The HTML depends on nothing else, so a kept copy is what rendering
    would give; the page number is not a value of the form."""
    data: Any = form.data  # a QueryDict, or an empty MultiValueDict when unbound
    values = tuple((name, tuple(data.getlist(name))) for name in form.fields)
    errors = tuple((name, tuple(messages)) for name, messages in form.errors.items())
    key = (tuple(form.fields["theme"].choices), form.is_bound, values, errors)  # type: ignore[attr-defined]
    with _forms_lock:
        html = _forms.get(key)
        if html is not None:
            _forms.move_to_end(key)
            return html
    html = SafeString(render_to_string("partners/directory/_search_form.html", {"form": form}))
    with _forms_lock:
        _forms[key] = html
        if len(_forms) > FORMS_KEPT:
            _forms.popitem(last=False)
    return html


@require_GET
def directory_search_view(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        # A bad postcode is reported; the words and themes still search.
        form.is_valid()
        data = form.cleaned_data
    miles = data.get("miles") or 2.0
    entries = directory_search(
        q=data.get("q") or "",
        themes=data.get("theme") or [],
        origin=form.origin,
        miles=miles if form.origin else None,
    )
    # Counted only a little past the page (config/paging.py): "1,020 or more".
    paginator = BoundedPaginator(entries, PAGE_SIZE)
    paginator.ask(request.GET.get("page"))
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "form_html": search_form_html(form),
        "page": page,
        "searched_near": data.get("postcode") if form.origin else "",
        "miles": miles,
    }
    return render(request, "partners/directory/search.html", context)


@require_GET
def directory_detail_view(request: HttpRequest, group_id: int) -> HttpResponse:
    entry = directory_group_get(group_id=group_id)
    return render(request, "partners/directory/detail.html", {"entry": entry})
