"""manage.py run_matching runs and prints a summary."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from matching.models import MatchRun, RunTrigger


def test_it_runs_for_one_anchor_and_prints_a_summary(proposal, capsys):
    call_command("run_matching", "--anchor", "anchor-a")
    out = capsys.readouterr().out
    run = MatchRun.objects.get()
    assert run.trigger == RunTrigger.COMMAND
    assert f"Run {run.pk} for Salford Royal Test Trust: finished" in out
    assert "needs considered:   1" in out
    assert "proposed, seed funding: £150" in out
    assert "seed_funding" not in out  # the label people read, not the stored value
    assert "total fit:" in out


def test_an_unknown_anchor_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no anchor with the slug 'nope'"):
        call_command("run_matching", "--anchor", "nope")
