"""Two `flask schedules run` processes at once on PostgreSQL post every occurrence exactly once.

PostgreSQL only (SQLite lets one writer at a time anyway): `database_url` is overridden here, as in
tests/integration, and the test skips without TEST_DATABASE_URL.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import PG_URL, _reset_schema, default_ids
from tests.schedules.conftest import URL, body
from tests.support.gunicorn import BIN, ROOT, server_env

# Daily from October 1 to November 30, 2026: 61 occurrences each, all in the past.
RULE = {"freq": "daily", "start_on": "2026-10-01", "until": "2026-11-30"}
PER_SCHEDULE = 61


@pytest.fixture(scope="module")
def database_url() -> str:
    if not PG_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    _reset_schema(PG_URL)
    return PG_URL


def test_two_runs_at_once_post_each_occurrence_once(client, make_user, sql, login_headers):
    schedule_ids = []
    for user in (make_user(), make_user()):
        headers = login_headers(user)
        for amount in (1000, 2000):
            payload = body(default_ids(sql, user), mode="remind", template={"amount": amount}, **RULE)
            response = client.post(URL, json=payload, headers=headers)
            assert response.status_code == 201, response.get_json()
            schedule_ids.append(response.get_json()["id"])
    # Auto, with everything due, and nothing posted yet: the two runs race for all of it.
    sql.execute("UPDATE schedules SET mode = 'auto', next_nominal_on = start_on, next_due_on = start_on")
    env = server_env(PG_URL)

    runs = [subprocess.Popen([str(BIN / "flask"), "schedules", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    reports = [re.search(r"(\d+) posted, (\d+) already posted", out).groups() for out, _ in outputs]
    assert sum(int(posted) for posted, _ in reports) == 4 * PER_SCHEDULE, outputs
    assert sql.count("entries") == 4 * PER_SCHEDULE
    assert sql.scalar("SELECT COUNT(*) FROM (SELECT schedule_id, scheduled_on FROM entries "
                      "GROUP BY schedule_id, scheduled_on HAVING COUNT(*) > 1) AS twice") == 0
    for schedule_id in schedule_ids:
        assert sql.count("entries", "schedule_id = :s", s=schedule_id) == PER_SCHEDULE
    assert sql.count("schedules", "next_due_on IS NOT NULL") == 0  # every rule has ended


@pytest.fixture
def login_headers(client):
    from tests.conftest import login_body

    return lambda user: {"Authorization": f"Bearer {login_body(client, user)['access_token']}"}
