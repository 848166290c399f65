"""Every query parameter an API view reads is declared in the OpenAPI schema.

schemathesis (test_api_fuzz.py) only sends the parameters the schema
declares, so a parameter read but not declared is never fuzzed, and clients
never learn it exists. Two ways to find what is read:

- dynamic: every operation is called while QueryDict reads are recorded, as
  an anchor team member (who reaches the most code) and anonymously;
- static: the API modules' source is searched for `query_params.get("x")`,
  `GET.get("x")` and the like, which also finds reads on paths the calls did
  not take.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import resolve

# Read by Django REST framework itself on every request, not by our views:
# ?format= picks a renderer (URL_FORMAT_OVERRIDE). Not an API parameter of ours.
FRAMEWORK_PARAMS = {"format"}

API_MODULES = [
    "places.apis",
    "partners.apis.activities",
    "partners.apis.catalogue",
    "partners.apis.common",
    "partners.apis.filters",
    "partners.apis.groups",
    "matching.apis",
    "matching.serializers",
]

PATH_VALUES = {
    "group_id": "group_a",
    "site_id": "site_a",
    "code": "hood",
    "slug": "food",
    "postcode": "M5 4WT",
}
ID_BY_PREFIX = {
    "/api/activities/": "activity_a",
    "/api/needs/": "need_a",
    "/api/anchors/": "anchor_a",
    "/api/resources/": "resource_a",
    "/api/match-runs/": "run_a",
    "/api/matches/": "match_a",
}


class ReadRecorder:
    """Records which keys are asked of a QueryDict while it is installed.

    A view may read request.GET or a copy of it (django-filter copies), so
    every QueryDict read during a request counts, except the request body's.
    The QueryDicts themselves are kept, so no id is reused while recording.
    """

    METHODS = ("__getitem__", "__contains__", "get", "getlist", "pop", "setdefault")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[tuple[QueryDict, str]] = []
        for name in self.METHODS:
            original = getattr(QueryDict, name)
            monkeypatch.setattr(QueryDict, name, self._wrap(original))

    def _wrap(self, original: Any) -> Any:
        reads = self.reads

        def recorded(querydict: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            reads.append((querydict, str(key)))
            return original(querydict, key, *args, **kwargs)

        return recorded

    def start(self) -> None:
        self.reads.clear()

    def keys_read(self, request: Any) -> set[str]:
        body = request.__dict__.get("_post")
        return {key for querydict, key in self.reads if querydict is not body}


def _schema(client) -> dict[str, Any]:
    return client.get("/api/schema/?format=json").json()


def _declared(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _fill(path: str, ids: dict[str, Any]) -> str:
    for name, key in PATH_VALUES.items():
        path = path.replace("{" + name + "}", str(ids.get(key, key)))
    for prefix, key in ID_BY_PREFIX.items():
        if path.startswith(prefix):
            path = path.replace("{id}", str(ids[key]))
    return path


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in sorted(schema["paths"].items())
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.mark.parametrize("role", ["alice", "anon"])
def test_every_query_parameter_a_view_reads_is_declared(client, world, monkeypatch, role):
    personas, ids = world
    schema = _schema(client)
    if role != "anon":
        client.force_login(getattr(personas, role))
    recorder = ReadRecorder(monkeypatch)
    undeclared = {}
    for method, path, operation in _operations(schema):
        url = _fill(path, ids)
        assert "{" not in url, f"no value for a path parameter of {path}"
        recorder.start()
        response = (
            getattr(client, method)(url, data=json.dumps({}), content_type="application/json")
            if method != "get"
            else client.get(url)
        )
        assert response.status_code < 500, (method, url)
        read = recorder.keys_read(response.wsgi_request) - FRAMEWORK_PARAMS
        missing = read - _declared(operation)
        if missing:
            undeclared[f"{method.upper()} {path}"] = sorted(missing)
    assert not undeclared, undeclared


def test_the_recorder_sees_the_reads_of_a_filter(client, world, monkeypatch):
    # The recorder notices a read: the groups list reads its filters.
    recorder = ReadRecorder(monkeypatch)
    response = client.get("/api/groups/")
    assert {"q", "theme", "page", "page_size"} <= recorder.keys_read(response.wsgi_request)


# --- Static: what the source reads --------------------------------------------------


def _literal_reads(source: str) -> set[str]:
    """String keys read from request.query_params / request.GET in ``source``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in {"get", "getlist"} and node.args:
                target, key = node.func.value, node.args[0]
        elif isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        if target is None:
            continue
        if (
            isinstance(target, ast.Attribute)
            and target.attr in {"query_params", "GET"}
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
        ):
            found.add(key.value)
    return found


def test_the_static_search_finds_a_read():
    source = 'def f(request):\n    return request.query_params.get("near"), request.GET["q"]\n'
    assert _literal_reads(source) == {"near", "q"}


def test_every_query_parameter_in_the_api_source_is_declared(client, db):
    schema = _schema(client)
    by_module: dict[str, set[str]] = {}
    for _method, path, operation in _operations(schema):
        callback = resolve(re.sub(r"\{[^}]+\}", "1", path)).func
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        module = inspect.getmodule(view or callback).__name__
        by_module.setdefault(module, set()).update(_declared(operation))
    everything = set().union(*by_module.values())
    problems = {}
    for name in API_MODULES:
        module = importlib.import_module(name)
        read = _literal_reads(Path(module.__file__).read_text()) - FRAMEWORK_PARAMS
        # Views read in their own module; filters and pagination in shared ones.
        declared = by_module.get(name, everything)
        if read - declared:
            problems[name] = sorted(read - declared)
    assert not problems, problems
