"""The load run of benchmarks/load.py in its short form (10 s): nothing lost, nothing duplicated, no 5xx."""
from __future__ import annotations

import pytest

from benchmarks.load import gunicorn, report, run_load

pytestmark = [pytest.mark.gunicorn, pytest.mark.slow]


def test_short_load_run_loses_nothing(database_url, make_app):
    make_app()  # its teardown empties the tables the run filled
    with gunicorn(database_url, workers=4) as base_url:
        stats, elapsed = run_load(base_url, database_url, duration=10, clients=8)
    print(report(stats, elapsed))
    assert stats.errors == []
    created = sum(stats.statuses["create_entry"].values())
    assert created > 0 and stats.statuses["create_entry"].get(201) == created
    assert not any(status >= 500 for per in stats.statuses.values() for status in per)
