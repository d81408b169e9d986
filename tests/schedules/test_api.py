"""/api/v1/schedules on both databases: status, problem code, body, and the rows behind them."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.ledgers import services as ledger_services
from tests.conftest import assert_problem, default_ids, login_body
from tests.schedules.conftest import URL, body


def entries_of(sql, schedule_id: int) -> list[tuple]:
    return [tuple(r) for r in sql.rows(
        "SELECT scheduled_on, occurred_on, amount, memo, created_by FROM entries WHERE schedule_id = :s "
        "ORDER BY scheduled_on", s=schedule_id)]


def iso(rows: list[tuple]) -> list[tuple]:
    """Dates as text (SQLite answers raw SQL with text, PostgreSQL with dates)."""
    return [tuple(v if v is None or isinstance(v, int) else str(v) for v in row) for row in rows]


def test_create_stores_the_template_and_rule_and_answers_the_next_occurrence(create, sql, user, ids):
    response = create()

    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert response.headers["Location"].endswith(f"{URL}/{data['id']}")
    assert data["name"] == "Rent" and data["mode"] == "auto"
    assert data["template"] == {"type": "expense", "amount": 500000, "account_id": ids["cash"],
                                "category_id": ids["categories"]["Housing"], "to_account_id": None, "memo": "rent",
                                "tags": ["home"]}
    assert data["rule"] == {"freq": "monthly", "interval": 1, "start_on": "2027-01-25", "weekdays": [],
                            "month_day": None, "last_day": False, "week_of_month": None, "weekday": None,
                            "until": None, "count": None, "weekend": "as_is"}
    assert data["next_occurrence"] == {"nominal_date": "2027-01-25", "date": "2027-01-25", "status": "upcoming",
                                       "entry_id": None}
    row = sql.rows("SELECT ledger_id, name, mode, freq, interval_, start_on, created_by, next_due_on "
                   "FROM schedules")[0]
    assert tuple(row)[:4] == (user.ledger_id, "Rent", "auto", "monthly") and row[4] == 1
    assert str(row[5]) == "2027-01-25" and row[6] == user.id and str(row[7]) == "2027-01-25"
    assert sql.count("entries") == 0


def test_an_auto_schedule_starting_in_the_past_is_caught_up_clamped_and_moved(create, sql, user):
    # the 31st, moved to Friday when on a weekend: Oct 31 2026 is a Saturday.
    response = create(start_on="2026-08-31", weekend="before")

    assert response.status_code == 201, response.get_json()
    schedule_id = response.get_json()["id"]
    assert iso(entries_of(sql, schedule_id)) == [
        ("2026-08-31", "2026-08-31", 500000, "rent", user.id),
        ("2026-09-30", "2026-09-30", 500000, "rent", user.id),
        ("2026-10-31", "2026-10-30", 500000, "rent", user.id),
        ("2026-11-30", "2026-11-30", 500000, "rent", user.id),
    ]
    assert sql.count("entry_tags", "tag = 'home'") == 4
    assert response.get_json()["next_occurrence"]["nominal_date"] == "2026-12-31"


@pytest.mark.parametrize(("rule", "template", "field"), [
    ({"interval": 0}, None, "interval"),
    ({"month_day": 32}, None, "month_day"),
    ({"until": "2027-01-24"}, None, "until"),
    ({"until": "2027-12-31", "count": 3}, None, "until"),
    ({"weekdays": [1]}, None, "weekdays"),
    ({"week_of_month": 2}, None, "weekday"),
    ({"week_of_month": 5, "weekday": 2}, None, "week_of_month"),
    ({"month_day": 3, "last_day": True}, None, "last_day"),
    ({"freq": "hourly"}, None, "freq"),
    ({"start_on": "2027-02-30"}, None, "start_on"),
    ({"weekend": "nearest"}, None, "weekend"),
    ({"freq": "weekly", "weekdays": [5, 6], "weekend": "skip"}, None, "weekend"),
    ({"week_of_month": 1, "weekday": 6, "weekend": "skip"}, None, "weekend"),
    ({}, {"amount": 0}, "amount"),
    ({}, {"occurred_on": "2027-01-01"}, "occurred_on"),
    ({}, {"category_id": None}, "category_id"),
])
def test_impossible_rules_and_templates_are_422_naming_the_field(create, sql, rule, template, field):
    response = create(template=template, **rule)

    problem = assert_problem(response, 422, "validation_error")
    errors = problem["errors"]
    section = errors.get("template") or errors.get("rule") or errors
    assert field in section, problem
    assert sql.count("schedules") == 0


def test_a_category_of_another_ledger_is_422_on_category_id(create, make_user, make_category, sql):
    theirs = make_category(make_user(), name="Theirs")

    response = create(template={"category_id": theirs})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"] == {"category_id": ["No such category."]}
    assert sql.count("schedules") == 0


def test_remind_occurrences_are_overdue_due_or_upcoming_and_can_be_posted_once(create, client, logged_in, sql):
    schedule_id = create(mode="remind", freq="weekly", start_on="2026-11-20").get_json()["id"]  # Fridays
    path = f"{URL}/{schedule_id}"

    listed = client.get(f"{path}/occurrences?from=2026-11-20&to=2026-12-11", headers=logged_in.headers)

    assert listed.status_code == 200
    assert [(o["nominal_date"], o["status"]) for o in listed.get_json()["items"]] == [
        ("2026-11-20", "overdue"), ("2026-11-27", "overdue"), ("2026-12-04", "due"), ("2026-12-11", "upcoming")]
    assert sql.count("entries") == 0  # remind: nothing posted by itself

    posted = client.post(f"{path}/occurrences/2026-11-27/post", json={"amount": 61230}, headers=logged_in.headers)
    again = client.post(f"{path}/occurrences/2026-11-27/post", json={"amount": 1}, headers=logged_in.headers)

    assert posted.status_code == 201, posted.get_json()
    assert posted.get_json()["amount"] == 61230 and posted.get_json()["schedule_id"] == schedule_id
    assert posted.get_json()["scheduled_on"] == "2026-11-27" and posted.get_json()["occurred_on"] == "2026-11-27"
    assert again.status_code == 200 and again.get_json()["id"] == posted.get_json()["id"]
    assert iso(entries_of(sql, schedule_id)) == [("2026-11-27", "2026-11-27", 61230, "rent", logged_in_user(sql))]
    listed = client.get(f"{path}/occurrences?from=2026-11-27&to=2026-11-27", headers=logged_in.headers)
    assert listed.get_json()["items"] == [{"nominal_date": "2026-11-27", "date": "2026-11-27", "status": "posted",
                                           "entry_id": posted.get_json()["id"]}]


def logged_in_user(sql) -> int:
    return sql.scalar("SELECT MIN(id) FROM users")


def test_posting_with_another_date_keeps_the_nominal_date(create, client, logged_in, sql):
    schedule_id = create(mode="remind", start_on="2026-11-25").get_json()["id"]

    response = client.post(f"{URL}/{schedule_id}/occurrences/2026-11-25/post", json={"occurred_on": "2026-11-26"},
                           headers=logged_in.headers)

    assert response.status_code == 201
    assert iso(entries_of(sql, schedule_id))[0][:3] == ("2026-11-25", "2026-11-26", 500000)


def test_skip_unskip_and_their_conflicts(create, client, logged_in, sql):
    schedule_id = create(mode="remind", start_on="2026-10-25").get_json()["id"]
    path = f"{URL}/{schedule_id}/occurrences"

    assert client.post(f"{path}/2026-11-25/skip", headers=logged_in.headers).status_code == 204
    assert client.post(f"{path}/2026-11-25/skip", headers=logged_in.headers).status_code == 204  # idempotent
    assert [str(tuple(r)[0]) for r in sql.rows("SELECT nominal_on FROM schedule_skips")] == ["2026-11-25"]
    assert_problem(client.post(f"{path}/2026-11-25/post", headers=logged_in.headers), 409, "occurrence_skipped")
    statuses = client.get(f"{path}?from=2026-10-01&to=2026-12-31", headers=logged_in.headers).get_json()["items"]
    assert [(o["nominal_date"], o["status"]) for o in statuses] == [
        ("2026-10-25", "overdue"), ("2026-11-25", "skipped"), ("2026-12-25", "upcoming")]

    assert client.delete(f"{path}/2026-11-25/skip", headers=logged_in.headers).status_code == 204
    assert sql.count("schedule_skips") == 0
    assert client.post(f"{path}/2026-10-25/post", headers=logged_in.headers).status_code == 201
    assert_problem(client.post(f"{path}/2026-10-25/skip", headers=logged_in.headers), 409, "occurrence_posted")
    assert sql.count("schedule_skips") == 0 and sql.count("entries") == 1


@pytest.mark.parametrize(("nominal", "status", "code"), [
    ("2026-11-24", 404, "not_found"),  # not a date of the rule
    ("2026-09-25", 404, "not_found"),  # before the start
    ("2026-13-01", 422, "validation_error"),
    ("20261125", 422, "validation_error"),
])
def test_posting_a_date_that_is_not_an_occurrence(create, client, logged_in, sql, nominal, status, code):
    schedule_id = create(mode="remind", start_on="2026-10-25").get_json()["id"]

    response = client.post(f"{URL}/{schedule_id}/occurrences/{nominal}/post", headers=logged_in.headers)

    assert_problem(response, status, code)
    assert sql.count("entries") == 0


def test_editing_changes_future_occurrences_only(create, client, logged_in, sql):
    schedule_id = create(start_on="2026-10-25").get_json()["id"]  # posts Oct 25 and Nov 25
    assert sql.count("entries", "schedule_id = :s", s=schedule_id) == 2

    template = client.get(f"{URL}/{schedule_id}", headers=logged_in.headers).get_json()["template"]

    response = client.patch(f"{URL}/{schedule_id}", headers=logged_in.headers, json={
        "template": {**template, "amount": 550000},
        "rule": {"freq": "monthly", "start_on": "2026-10-25", "month_day": 1}})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["template"]["amount"] == 550000
    assert response.get_json()["next_occurrence"]["nominal_date"] == "2027-01-01"
    assert [r[2] for r in entries_of(sql, schedule_id)] == [500000, 500000]  # the past is as it was posted
    listed = client.get(f"{URL}/{schedule_id}/occurrences?from=2026-10-01&to=2027-01-31",
                        headers=logged_in.headers).get_json()["items"]
    assert [(o["nominal_date"], o["status"]) for o in listed] == [
        ("2026-10-25", "posted"), ("2026-11-25", "posted"), ("2027-01-01", "upcoming")]


def test_a_rename_alone_changes_no_occurrence(create, client, logged_in, sql):
    schedule_id = create(mode="remind", start_on="2026-10-25").get_json()["id"]

    response = client.patch(f"{URL}/{schedule_id}", json={"name": "  월세 "}, headers=logged_in.headers)

    assert response.status_code == 200 and response.get_json()["name"] == "월세"
    assert response.get_json()["next_occurrence"]["nominal_date"] == "2026-10-25"  # still overdue from October
    assert str(sql.scalar("SELECT effective_from FROM schedules")) == "2026-10-25"


def test_delete_keeps_the_entries_it_posted(create, client, logged_in, sql):
    schedule_id = create(start_on="2026-10-25").get_json()["id"]
    client.post(f"{URL}/{schedule_id}/occurrences/2026-12-25/skip", headers=logged_in.headers)

    response = client.delete(f"{URL}/{schedule_id}", headers=logged_in.headers)

    assert response.status_code == 204
    assert sql.count("schedules") == 0 and sql.count("schedule_skips") == 0
    assert [tuple(r) for r in sql.rows("SELECT schedule_id, amount FROM entries")] == [(None, 500000)] * 2
    assert_problem(client.get(f"{URL}/{schedule_id}", headers=logged_in.headers), 404, "not_found")


def test_upcoming_lists_the_months_pending_occurrences_and_the_remaining_fixed_expenses(create, client, logged_in,
                                                                                         ids):
    create(name="Phone", mode="remind", start_on="2026-12-01", template={"amount": 55000})  # overdue
    create(name="Rent", start_on="2026-12-25")
    create(name="Gym", mode="remind", freq="weekly", start_on="2026-12-07", template={"amount": 10000})
    salary = ids["categories"].get("Salary")
    create(name="Salary", start_on="2026-12-21", template={"type": "income", "amount": 3000000,
                                                           "category_id": salary})

    response = client.get(f"{URL}/upcoming", headers=logged_in.headers)

    assert response.status_code == 200
    data = response.get_json()
    assert data["month"] == "2026-12"
    assert [(i["name"], i["date"], i["status"]) for i in data["items"]] == [
        ("Phone", "2026-12-01", "overdue"), ("Gym", "2026-12-07", "upcoming"), ("Gym", "2026-12-14", "upcoming"),
        ("Gym", "2026-12-21", "upcoming"), ("Salary", "2026-12-21", "upcoming"), ("Rent", "2026-12-25", "upcoming"),
        ("Gym", "2026-12-28", "upcoming")]
    assert data["remaining_expense"] == 55000 + 4 * 10000 + 500000
    other = client.get(f"{URL}/upcoming?month=2027-02", headers=logged_in.headers).get_json()
    assert other["month"] == "2027-02" and other["remaining_expense"] == 55000 + 4 * 10000 + 500000
    assert_problem(client.get(f"{URL}/upcoming?month=2027-13", headers=logged_in.headers), 422, "validation_error")


def test_preview_gives_the_next_six_dates(client, logged_in, clock):
    response = client.post(f"{URL}/preview", headers=logged_in.headers, json={"rule": {
        "freq": "monthly", "start_on": "2026-01-31", "weekend": "after"}})

    assert response.status_code == 200, response.get_json()
    assert [(i["nominal_date"], i["date"]) for i in response.get_json()["items"]] == [
        ("2026-12-31", "2026-12-31"), ("2027-01-31", "2027-02-01"), ("2027-02-28", "2027-03-01"),
        ("2027-03-31", "2027-03-31"), ("2027-04-30", "2027-04-30"), ("2027-05-31", "2027-05-31")]
    bad = client.post(f"{URL}/preview", headers=logged_in.headers, json={"rule": {
        "freq": "monthly", "start_on": "2026-01-31", "count": 2, "until": "2026-05-01"}})
    assert assert_problem(bad, 422, "validation_error")["errors"]["rule"] == {
        "until": ["Give either count or until, not both."]}


def test_lazy_catch_up_posts_what_became_due_and_costs_one_select_when_nothing_is(create, client, logged_in, sql,
                                                                                   clock, count_statements):
    schedule_id = create(start_on="2026-12-05").get_json()["id"]  # tomorrow
    with count_statements() as statements:
        assert client.get(URL, headers=logged_in.headers).status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert sql.count("entries") == 0

    clock(datetime(2027, 2, 10, 3, 0, tzinfo=UTC))
    listed = client.get(URL, headers=logged_in.headers)

    assert [r[0] for r in iso(entries_of(sql, schedule_id))] == ["2026-12-05", "2027-01-05", "2027-02-05"]
    assert listed.get_json()["items"][0]["next_occurrence"] == {"nominal_date": "2027-03-05", "date": "2027-03-05",
                                                                "status": "upcoming", "entry_id": None}


def test_viewers_read_but_cannot_write(client, make_user, app, sql, clock):
    owner, viewer = make_user(), make_user()
    with app.app_context():
        ledger_services.add_member(owner.ledger_id, viewer.id, "viewer")
    owner_headers = {"Authorization": f"Bearer {login_body(client, owner)['access_token']}"}
    viewer_headers = {"Authorization": f"Bearer {login_body(client, viewer)['access_token']}"}
    path = f"/api/v1/ledgers/{owner.ledger_id}/schedules"
    created = client.post(path, json=body(default_ids(sql, owner), mode="remind", start_on="2026-11-25"),
                          headers=owner_headers)
    assert created.status_code == 201
    schedule_id = created.get_json()["id"]

    assert client.get(path, headers=viewer_headers).status_code == 200
    for response in (client.post(path, json=body(default_ids(sql, owner)), headers=viewer_headers),
                     client.patch(f"{path}/{schedule_id}", json={"name": "x"}, headers=viewer_headers),
                     client.delete(f"{path}/{schedule_id}", headers=viewer_headers),
                     client.post(f"{path}/{schedule_id}/occurrences/2026-11-25/post", headers=viewer_headers),
                     client.post(f"{path}/{schedule_id}/occurrences/2026-11-25/skip", headers=viewer_headers)):
        assert_problem(response, 403, "forbidden_role")
    assert sql.count("schedules") == 1 and sql.count("entries") == 0 and sql.count("schedule_skips") == 0
    # The viewer's own ledger has none; the owner's schedule is not found there.
    assert client.get("/api/v1/schedules", headers=viewer_headers).get_json()["items"] == []
    assert_problem(client.get(f"/api/v1/schedules/{schedule_id}", headers=viewer_headers), 404, "not_found")


def test_the_ledger_time_zone_decides_today(client, logged_in, user, sql, create, clock):
    # 20:00 UTC on Dec 4: already Dec 5 in Seoul, still Dec 4 in Los Angeles.
    clock(datetime(2026, 12, 4, 20, 0, tzinfo=UTC))
    schedule_id = create(mode="remind", freq="daily", start_on="2026-12-04").get_json()["id"]
    path = f"{URL}/{schedule_id}/occurrences?from=2026-12-05&to=2026-12-05"
    assert client.get(path, headers=logged_in.headers).get_json()["items"][0]["status"] == "due"

    response = client.patch(f"/api/v1/ledgers/{user.ledger_id}", json={"timezone": "America/Los_Angeles"},
                            headers=logged_in.headers)

    assert response.status_code == 200 and response.get_json()["timezone"] == "America/Los_Angeles"
    assert sql.scalar("SELECT timezone FROM ledgers WHERE id = :l", l=user.ledger_id) == "America/Los_Angeles"
    assert client.get(path, headers=logged_in.headers).get_json()["items"][0]["status"] == "upcoming"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "", "x" * 65, "/usr/share/zoneinfo/UTC"])
def test_an_unknown_time_zone_is_422(client, logged_in, user, sql, zone):
    response = client.patch(f"/api/v1/ledgers/{user.ledger_id}", json={"timezone": zone}, headers=logged_in.headers)

    assert "timezone" in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.scalar("SELECT timezone FROM ledgers WHERE id = :l", l=user.ledger_id) == "Asia/Seoul"


def test_occurrence_range_is_bounded(create, client, logged_in):
    schedule_id = create().get_json()["id"]

    too_long = client.get(f"{URL}/{schedule_id}/occurrences?from=2026-01-01&to=2027-01-03", headers=logged_in.headers)
    backwards = client.get(f"{URL}/{schedule_id}/occurrences?from=2026-02-01&to=2026-01-01",
                           headers=logged_in.headers)

    assert assert_problem(too_long, 422, "validation_error")["errors"] == {"to": ["At most 366 days after `from`."]}
    assert assert_problem(backwards, 422, "validation_error")["errors"] == {"to": ["Must not be before `from`."]}


def test_a_read_posts_at_most_31_per_schedule_and_the_next_read_goes_on(create, client, logged_in, sql):
    schedule_id = create(freq="daily", start_on="2026-10-26", template={"amount": 4500}).get_json()["id"]  # 40 due
    assert sql.count("entries", "schedule_id = :s", s=schedule_id) == 31

    listed = client.get(URL, headers=logged_in.headers)

    assert listed.status_code == 200
    assert sql.count("entries", "schedule_id = :s", s=schedule_id) == 40
    assert listed.get_json()["items"][0]["next_occurrence"]["nominal_date"] == "2026-12-05"
