"""The map pages: the board map and the public directory map.

Each page holds the filters (a GET form, so a view can be shared by its
URL), the map in an <iframe>, a table with the same figures and a text
summary. The map document itself is a separate "frame" view: folium writes
inline scripts and styles, so that one response alone allows exactly those,
by their sha256 (maps.tiles.frame_csp; never 'unsafe-inline'); every other
page, the download included, keeps the strict policy from settings.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accounts.decorators import board_required
from maps.area_figures import map_kind
from maps.builders import MapDocument
from maps.cache import board_map_document, board_map_download, directory_map_document
from maps.display import display_geometry_state
from maps.figures import FIGURE_DEFINITIONS, MapFilters
from maps.forms import BoardMapFilterForm, DirectoryMapFilterForm
from maps.levels import LEVEL_NAMES
from maps.page_tables import board_page_get, directory_page_get
from maps.tiles import frame_csp
from partners.models import Anchor


def _frame_response(document: MapDocument) -> HttpResponse:
    """A map document under its own Content-Security-Policy (maps.tiles.frame_csp):
    the hashes of its inline code, and the tile settings as they are now."""
    response = HttpResponse(document.html)
    response._csp_replace = frame_csp(  # type: ignore[attr-defined]
        scripts=document.scripts, styles=document.styles
    )
    return response


def _bound(form_class: type[forms.Form], request: HttpRequest, **kwargs: Any) -> Any:
    # Unbound when no filter was given, so a first visit shows no errors.
    fields = set(form_class.base_fields)
    return form_class(request.GET if fields & set(request.GET) else None, **kwargs)


def _board_form(request: HttpRequest, anchors: list[Anchor]) -> BoardMapFilterForm:
    """The board map's filters; another anchor's slug is not there (404),
    whichever of the map's URLs it is sent to."""
    form: BoardMapFilterForm = _bound(BoardMapFilterForm, request, anchors=anchors)
    if form.is_bound and not form.is_valid() and "anchor" in form.errors:
        raise Http404("No such anchor among yours.")
    return form


def _query(filters: MapFilters) -> str:
    query = urlencode(filters.as_query())
    return f"?{query}" if query else ""


@board_required
@require_GET
def board_map_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    form = _board_form(request, anchors)
    filters = form.filters()
    # The tables are stored by data version (maps/page_tables.py): a load
    # reads every group and match only when they changed.
    page = board_page_get(filters=filters)
    query = _query(filters)
    return render(
        request,
        "maps/map_board.html",
        {
            "form": form,
            "filters": filters,
            "rows": page.rows,
            "theme_counts": page.theme_counts,
            "summary": page.summary,
            "outside": page.outside,
            "definitions": FIGURE_DEFINITIONS,
            "level": page.level,
            "area_noun": LEVEL_NAMES[page.level.level],
            "geometry": display_geometry_state(kind=map_kind()),
            "frame_url": reverse("maps:board-map-frame") + query,
            "download_url": reverse("maps:board-map-download") + query,
            "funders": page.funders,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _frame_filters(request: HttpRequest, form: Any) -> MapFilters | None:
    if form.is_bound and not form.is_valid():
        return None
    return form.filters()  # type: ignore[no-any-return]


@board_required
@require_GET
@xframe_options_sameorigin
def board_map_frame_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    filters = _frame_filters(request, _board_form(request, anchors))
    if filters is None:
        return HttpResponseBadRequest(
            "One of the map filters is not recognised. Choose the filters again on the map page.",
            content_type="text/plain; charset=utf-8",
        )
    return _frame_response(board_map_document(filters=filters))


@board_required
@require_GET
def board_map_download_view(request: HttpRequest, anchors: list[Anchor]) -> HttpResponse:
    filters = _frame_filters(request, _board_form(request, anchors))
    if filters is None:
        return HttpResponseBadRequest(
            "One of the map filters is not recognised. Choose the filters again on the map page.",
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(board_map_download(filters=filters))
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="backer-board-map-{day}.html"'
    return response


@require_GET
def directory_map_view(request: HttpRequest) -> HttpResponse:
    form = _bound(DirectoryMapFilterForm, request)
    filters = form.filters() if form.is_bound else MapFilters()
    page = directory_page_get(theme=filters.theme)  # stored by data version
    return render(
        request,
        "maps/map_directory.html",
        {
            "form": form,
            "rows": page.rows,
            "theme_counts": page.theme_counts,
            "level": page.level,
            "area_noun": LEVEL_NAMES[page.level.level],
            "areas": page.areas,
            "groups_listed": page.groups_listed,
            "frame_url": reverse("maps:directory-map-frame") + _query(filters),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_GET
@xframe_options_sameorigin
def directory_map_frame_view(request: HttpRequest) -> HttpResponse:
    filters = _frame_filters(request, _bound(DirectoryMapFilterForm, request))
    if filters is None:
        return HttpResponseBadRequest(
            "That theme is not recognised. Choose a theme again on the map page.",
            content_type="text/plain; charset=utf-8",
        )
    return _frame_response(directory_map_document(filters=filters))
