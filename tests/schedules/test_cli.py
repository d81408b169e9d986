"""flask schedules run: the due auto occurrences of every ledger, at most 370 per schedule per run."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.schedules.conftest import URL


def test_run_posts_due_occurrences_bounded_and_reports_the_truncation(create, client, logged_in, runner, sql, clock,
                                                                        make_user):
    daily = create(name="Coffee", freq="daily", start_on="2026-12-05", template={"amount": 4500}).get_json()["id"]
    monthly = create(name="Rent", start_on="2026-12-25").get_json()["id"]
    create(name="Reminder", mode="remind", start_on="2026-12-05")
    assert sql.count("entries") == 0

    clock(datetime(2028, 1, 10, 3, 0, tzinfo=UTC))  # 402 days of coffee (Dec 5 .. Jan 10), 13 rents
    first = runner.invoke(args=["schedules", "run"])

    assert first.exit_code == 0, first.output
    assert "2 due, 383 posted, 0 already posted, 1 truncated at 370, 0 failed" in first.output
    assert f"truncated: schedule {daily} has more due occurrences" in first.output
    assert sql.count("entries", "schedule_id = :s", s=daily) == 370
    assert sql.count("entries", "schedule_id = :s", s=monthly) == 13

    second = runner.invoke(args=["schedules", "run"])
    third = runner.invoke(args=["schedules", "run"])

    assert "1 due, 32 posted, 0 already posted, 0 truncated" in second.output
    assert "0 due, 0 posted" in third.output
    assert sql.count("entries", "schedule_id = :s", s=daily) == 402
    assert sql.count("entries", "type = 'expense'") == 402 + 13  # the reminder posted nothing
    listed = client.get(f"{URL}/{daily}", headers=logged_in.headers).get_json()
    assert listed["next_occurrence"]["nominal_date"] == "2028-01-11"


def test_run_reports_a_schedule_whose_account_was_archived(create, runner, sql, clock):
    schedule_id = create(start_on="2026-12-25").get_json()["id"]
    sql.execute("UPDATE accounts SET archived = :t", t=True)
    clock(datetime(2027, 1, 30, 3, 0, tzinfo=UTC))

    result = runner.invoke(args=["schedules", "run"])

    assert result.exit_code == 0
    assert "1 due, 0 posted, 0 already posted, 0 truncated at 370, 1 failed" in result.output
    assert f"failed: schedule {schedule_id}" in result.output
    assert sql.count("entries") == 0
    assert str(sql.scalar("SELECT next_due_on FROM schedules")) == "2026-12-25"  # tried again next time
