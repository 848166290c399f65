"""`make loadtest`'s report (tests/load/run_loadtest.py, issue 18): its
50-user run reports throughput and failures and no latency ratio (the
server is saturated: latencies are queueing), and says why; at 10 users or
fewer it gives the API list's p95 against the bare view's, saying the load
did not saturate."""

from __future__ import annotations

import csv

import pytest

from tests.load.run_loadtest import UNSATURATED_USERS, print_report

FIELDS = ["Name", "Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s"]


@pytest.fixture
def stats(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "locust_stats.csv"
    rows = [
        ["/api/groups/", "400", "0", "30", "60", "90", "6.7"],
        ["/healthz (bare)", "300", "2", "10", "40", "50", "5.0"],
        ["Aggregated", "700", "2", "20", "55", "80", "11.7"],
    ]
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        writer.writerows(rows)
    return path


def test_the_50_user_run_reports_throughput_and_failures_and_no_ratio(stats, capsys):
    failures = print_report(stats, 50)
    out = capsys.readouterr().out
    assert failures == 2
    assert "throughput: 11.7 requests/s" in out
    assert "failures: 2" in out
    assert "No latency ratio: 50 users saturate the server" in out
    assert "1.5x" not in out


def test_an_unsaturated_run_gives_the_ratio_and_says_the_load_did_not_saturate(stats, capsys):
    print_report(stats, UNSATURATED_USERS)
    out = capsys.readouterr().out
    assert f"At {UNSATURATED_USERS} users (not saturating)" in out
    assert "= 1.5x" in out
