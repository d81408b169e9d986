"""Posting is idempotent at the database: N posts of one occurrence leave one entry (Hypothesis)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.schedules.conftest import URL


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(posts=st.lists(st.tuples(st.integers(0, 9), st.integers(1, 4), st.booleans()), min_size=1, max_size=6))
def test_posting_an_occurrence_n_times_posts_it_once(create, client, logged_in, sql, posts):
    schedule_id = create(mode="remind", freq="weekly", start_on="2026-10-02").get_json()["id"]  # Fridays
    expected: dict[str, int] = {}
    for week, times, other_amount in posts:
        nominal = (date(2026, 10, 2) + timedelta(weeks=week)).isoformat()
        for _ in range(times):
            response = client.post(f"{URL}/{schedule_id}/occurrences/{nominal}/post",
                                   json={"amount": 777} if other_amount else {}, headers=logged_in.headers)
            assert response.status_code == (200 if nominal in expected else 201), response.get_json()
            expected.setdefault(nominal, response.get_json()["id"])
            assert response.get_json()["id"] == expected[nominal]

    rows = sql.rows("SELECT CAST(scheduled_on AS VARCHAR(10)), id FROM entries WHERE schedule_id = :s "
                    "ORDER BY scheduled_on", s=schedule_id)
    assert [tuple(r) for r in rows] == sorted(expected.items())
