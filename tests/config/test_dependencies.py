"""The dependency set: every import declared, one lock used everywhere, and a
production image with no node in it.

A package that is imported but only installed because something else pulls
it in (pandas through geopandas, kombu through celery) breaks the day that
other package stops needing it; a test-only tool among the runtime
dependencies ships to production for nothing.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PRODUCT_PACKAGES = [
    p.removesuffix("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
]


def _names(requirements: list[str]) -> set[str]:
    return {_canonical(Requirement(r).name) for r in requirements}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


RUNTIME = _names(PYPROJECT["project"]["dependencies"])
DEV = _names(PYPROJECT["project"]["optional-dependencies"]["dev"])


def _top_level_imports(paths: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in paths:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                found.setdefault(module.split(".")[0], path)
    return found


def _third_party(imports: dict[str, Path]) -> dict[str, Path]:
    ours = set(PRODUCT_PACKAGES) | {"tests"}
    return {
        name: path
        for name, path in imports.items()
        if name not in ours and name not in sys.stdlib_module_names and name != "__future__"
    }


def _distributions(module: str) -> set[str]:
    return {_canonical(d) for d in packages_distributions().get(module, [])}


def _product_files() -> list[Path]:
    return [
        path
        for package in PRODUCT_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_every_import_of_the_product_is_a_declared_runtime_dependency():
    undeclared = {
        name: str(path.relative_to(ROOT))
        for name, path in _third_party(_top_level_imports(_product_files())).items()
        if not _distributions(name) & RUNTIME
    }
    assert not undeclared, (
        f"imported by the product but not in [project] dependencies: {undeclared}"
    )


def test_every_import_of_the_tests_is_declared():
    test_files = list((ROOT / "tests").rglob("*.py"))
    undeclared = {
        name: str(path.relative_to(ROOT))
        for name, path in _third_party(_top_level_imports(test_files)).items()
        if not _distributions(name) & (RUNTIME | DEV)
        # pytest's own plugins and packaging come with pytest.
        and name not in {"_pytest", "packaging"}
    }
    assert not undeclared, f"imported by the tests but declared nowhere: {undeclared}"


@pytest.mark.parametrize("tool", ["jsonschema", "pyyaml", "pytest", "hypothesis", "playwright"])
def test_test_only_tools_are_not_runtime_dependencies(tool):
    assert tool in DEV
    assert tool not in RUNTIME


def test_the_product_uses_no_private_binding_of_another_package():
    private = [
        f"{path.relative_to(ROOT)}: {node.module}"
        for path in _product_files()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.level == 0
        and node.module.split(".")[0] not in PRODUCT_PACKAGES
        and any(part.startswith("_") for part in node.module.split(".")[1:])
    ]
    assert not private


def _locked(path: Path) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, _, rest = line.partition("==")
        pins.setdefault(_canonical(name), set()).add(rest.split(";")[0].strip())
    return pins


def test_the_lock_pins_every_declared_dependency_and_the_image_lock_agrees():
    dev = _locked(ROOT / "requirements" / "dev.txt")
    base = _locked(ROOT / "requirements" / "base.txt")
    assert set(dev) >= RUNTIME | DEV, "run `make lock` after changing pyproject.toml"
    assert set(base) >= RUNTIME
    disagree = {
        name: (versions, dev.get(name))
        for name, versions in base.items()
        if versions != dev.get(name)
    }
    assert not disagree, "base.txt and dev.txt pin different versions: run `make lock`"
    test_tools = {"pytest", "hypothesis", "playwright", "locust", "schemathesis", "factory-boy"}
    assert not test_tools & set(base), "a test-only tool is in the production lock"


def test_make_install_and_the_image_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -r requirements/dev.txt" in makefile
    assert "--no-deps -e ." in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements/base.txt" in dockerfile


def test_the_runtime_image_has_no_node():
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)[1:]
    assert len(stages) >= 2, "the Dockerfile should build in stages"
    runtime = stages[-1]
    assert not runtime.startswith("node"), runtime.splitlines()[0]
    assert not re.search(r"\b(nodejs|npm)\b", runtime)
    assert "COPY --from=" in runtime


def test_python_3_11_to_3_13_are_accepted():
    from packaging.specifiers import SpecifierSet

    accepted = SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert all(version in accepted for version in ("3.11.7", "3.12.8", "3.13.1"))
    assert "3.10.12" not in accepted
