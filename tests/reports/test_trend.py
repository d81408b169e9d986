"""GET /api/v1/reports/trend: income, expense and net per accounting month, zeros included."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.conftest import assert_problem

URL = "/api/v1/reports/trend"


def trend(client, auth, start="2026-09", end="2026-12"):
    response = client.get(URL, query_string={"from": start, "to": end}, headers=auth.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_months_without_entries_are_zeros(client, logged_in):
    assert trend(client, logged_in) == [{"month": month, "income": 0, "expense": 0, "net": 0}
                                        for month in ("2026-09", "2026-10", "2026-11", "2026-12")]


def test_each_month_sums_its_income_and_expense(client, logged_in, user, ids, make_entry):
    cash, cats = ids["cash"], ids["categories"]
    make_entry(user, type="income", account_id=cash, category_id=cats["Salary"], amount=5000,
               occurred_on="2026-10-01")
    make_entry(user, account_id=cash, category_id=cats["Food"], amount=700, occurred_on="2026-10-31")
    make_entry(user, account_id=cash, category_id=cats["Food"], amount=40, occurred_on="2026-12-31")
    make_entry(user, account_id=cash, category_id=cats["Food"], amount=1, occurred_on="2027-01-01")
    make_entry(user, account_id=cash, category_id=cats["Food"], amount=2, occurred_on="2026-08-31")
    assert trend(client, logged_in) == [
        {"month": "2026-09", "income": 0, "expense": 0, "net": 0},
        {"month": "2026-10", "income": 5000, "expense": 700, "net": 4300},
        {"month": "2026-11", "income": 0, "expense": 0, "net": 0},
        {"month": "2026-12", "income": 0, "expense": 40, "net": -40},
    ]


def test_months_follow_the_month_start_day(client, logged_in, user, ids, make_entry, start_day):
    start_day(25)
    food = ids["categories"]["Food"]
    for day, amount in (("2026-10-24", 1), ("2026-10-25", 10), ("2026-11-24", 100), ("2026-11-25", 1000)):
        make_entry(user, account_id=ids["cash"], category_id=food, amount=amount, occurred_on=day)
    expense = {row["month"]: row["expense"] for row in trend(client, logged_in, "2026-10", "2026-12")}
    assert expense == {"2026-10": 1, "2026-11": 110, "2026-12": 1000}


def test_range_edges_follow_the_month_start_day(client, logged_in, user, ids, make_entry, start_day):
    start_day(25)
    food = ids["categories"]["Food"]
    # "2026-11".."2026-11" is 2026-10-25..2026-11-24: the days just outside must not leak in.
    for day, amount in (("2026-10-24", 1), ("2026-10-25", 10), ("2026-11-24", 100), ("2026-11-25", 1000)):
        make_entry(user, account_id=ids["cash"], category_id=food, amount=amount, occurred_on=day)
    assert trend(client, logged_in, "2026-11", "2026-11") == [
        {"month": "2026-11", "income": 0, "expense": 110, "net": -110}]


def test_transfers_are_not_counted(client, logged_in, user, ids, make_account, make_entry):
    bank = make_account(user)
    make_entry(user, type="transfer", account_id=ids["cash"], to_account_id=bank, amount=9000,
               occurred_on="2026-11-05")
    assert trend(client, logged_in)[2] == {"month": "2026-11", "income": 0, "expense": 0, "net": 0}


def test_other_users_entries_never_count(client, logged_in, make_user, sql, make_entry):
    other = make_user()
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id)
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    make_entry(other, account_id=cash, category_id=food, amount=100, occurred_on="2026-11-05")
    assert all(row["expense"] == 0 for row in trend(client, logged_in))


def test_one_hundred_and_twenty_months_are_allowed(client, logged_in):
    items = trend(client, logged_in, "2017-01", "2026-12")
    assert len(items) == 120
    assert (items[0]["month"], items[-1]["month"]) == ("2017-01", "2026-12")


def test_last_possible_month_is_allowed(client, logged_in):
    assert [row["month"] for row in trend(client, logged_in, "9998-11", "9998-12")] == ["9998-11", "9998-12"]


# --- invalid input -------------------------------------------------------------------------------------------

def test_more_than_120_months_is_422(client, logged_in):
    response = client.get(URL, query_string={"from": "2016-12", "to": "2026-12"}, headers=logged_in.headers)
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["to"]


def test_from_after_to_is_422(client, logged_in):
    response = client.get(URL, query_string={"from": "2026-12", "to": "2026-11"}, headers=logged_in.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"to": ["Must not be before `from`."]}


@pytest.mark.parametrize(("query", "fields"), [
    ({"to": "2026-12"}, ["from"]),
    ({"from": "2026-01"}, ["to"]),
    ({}, ["from", "to"]),
    ({"from": "2026-1", "to": "2026-12"}, ["from"]),
    ({"from": "2026-01", "to": "2026-13"}, ["to"]),
    ({"from": "abc", "to": "2026-12"}, ["from"]),
    ({"from": "2026-01", "to": "2026-12", "month": "2026-05"}, ["month"]),
])
def test_invalid_query_is_422(client, logged_in, query, fields):
    body = assert_problem(client.get(URL, query_string=query, headers=logged_in.headers), 422, "validation_error")
    assert sorted(body["errors"]) == fields


def test_range_that_would_start_before_year_one_is_422(client, logged_in, start_day):
    start_day(25)
    response = client.get(URL, query_string={"from": "0001-01", "to": "0001-03"}, headers=logged_in.headers)
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["from"]


def test_trend_needs_an_access_token(client):
    assert_problem(client.get(URL, query_string={"from": "2026-01", "to": "2026-02"}), 401,
                   "authorization_required")


# --- cost ----------------------------------------------------------------------------------------------------

def test_statement_count_is_the_same_for_5_and_500_entries(client, logged_in, user, ids, make_entries,
                                                           count_statements, start_day):
    start_day(10)
    rng = random.Random(11)
    cats = ids["categories"]

    def entries(n: int) -> list[dict]:
        return [{"type": type_, "amount": rng.randint(1, 10**6), "account_id": ids["cash"],
                 "category_id": cats["Salary" if type_ == "income" else "Food"],
                 "occurred_on": date(2025, 1, 1) + timedelta(days=rng.randint(0, 700))}
                for type_ in (rng.choice(["income", "expense"]) for _ in range(n))]

    counts = []
    for n in (5, 495):
        make_entries(user, entries(n))
        with count_statements() as statements:
            items = trend(client, logged_in, "2025-01", "2026-12")
        assert len(items) == 24
        counts.append(len(statements))
    assert counts[0] == counts[1] == 2, counts  # auth, one grouped query
