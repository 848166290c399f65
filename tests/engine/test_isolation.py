"""The engine imports no Django, Celery, DRF or Backer app (DESIGN: Layers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = (
    "django",
    "celery",
    "rest_framework",
    "places",
    "partners",
    "maps",
    "assessment",
    "config",
)


def test_importing_the_engine_pulls_in_no_framework_or_app() -> None:
    code = (
        "import json, sys, matching.engine\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin"},
    )
    top_level = set(json.loads(out.stdout))
    assert not top_level & set(FORBIDDEN), top_level & set(FORBIDDEN)


def test_the_docstring_examples_run() -> None:
    import doctest

    import matching.engine.allocate as allocate
    import matching.engine.fairness as fairness
    import matching.engine.unmatched as unmatched

    for module in (allocate, fairness, unmatched):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__
