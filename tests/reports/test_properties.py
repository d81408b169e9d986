"""Property tests: for random entries, the reports and balances equal sums computed here in Python.

Each Hypothesis example starts by deleting the user's entries (the per-test table reset does not run
between examples) and picking a month_start_day, so accounting months are exercised, not only calendar ones.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.months import format_month, month_of, months_between

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

FIRST_DAY, LAST_DAY = date(2026, 9, 20), date(2026, 12, 31)

entry_strategy = st.fixed_dictionaries({
    "type": st.sampled_from(["income", "expense", "transfer"]),
    "amount": st.integers(min_value=1, max_value=2**40),
    "day": st.integers(min_value=0, max_value=(LAST_DAY - FIRST_DAY).days),
    "account": st.integers(min_value=0, max_value=2),
    "to_account": st.integers(min_value=1, max_value=2),  # added to `account` (mod 3): never the same account
    "category": st.integers(min_value=0, max_value=20),  # an index into the categories of the entry's kind
})
entries_strategy = st.lists(entry_strategy, max_size=25)
start_day_strategy = st.sampled_from([1, 2, 15, 25, 28])


@pytest.fixture
def world(client, logged_in, user, ids, family, make_account, make_category, make_entries, sql):
    """Three accounts with opening balances, two-level categories, and load(entries, start_day) for each example."""
    accounts = [ids["cash"], make_account(user, name="Bank", opening_balance=1_000_000),
                make_account(user, name="Card", type="credit_card", opening_balance=-25_000)]
    bonus = make_category(user, name="Bonus", kind="income", parent_id=ids["categories"]["Salary"])
    categories = {"expense": [ids["categories"]["Food"], ids["categories"]["Transport"], *family.values()],
                  "income": [ids["categories"]["Salary"], ids["categories"]["Interest"], bonus]}
    parents = {family["school"]: family["parent"], family["toys"]: family["parent"],
               bonus: ids["categories"]["Salary"]}

    def load(drawn: list[dict], start_day: int) -> list[dict]:
        sql.execute("DELETE FROM entries WHERE ledger_id = :u", u=user.ledger_id)
        sql.execute("UPDATE ledgers SET month_start_day = :d WHERE id = :u", d=start_day, u=user.ledger_id)
        rows = []
        for item in drawn:
            row = {"type": item["type"], "amount": item["amount"],
                   "occurred_on": FIRST_DAY + timedelta(days=item["day"]), "account_id": accounts[item["account"]]}
            if item["type"] == "transfer":
                row["to_account_id"] = accounts[(item["account"] + item["to_account"]) % 3]
            else:
                kind = categories[item["type"]]
                row["category_id"] = kind[item["category"] % len(kind)]
            rows.append(row)
        make_entries(user, rows)
        return rows

    return {"accounts": accounts, "parents": parents, "load": load, "headers": logged_in.headers,
            "client": client, "user": user}


def months_in_range(start_day: int) -> list[str]:
    return [format_month(*m) for m in months_between(month_of(FIRST_DAY, start_day), month_of(LAST_DAY, start_day))]


def expected_month(rows: list[dict], month: str, start_day: int, parents: dict) -> dict:
    """The monthly report's numbers, computed from the entries in Python."""
    income = expense = 0
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: {"income": 0, "expense": 0})
    by_category: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row["type"] == "transfer" or format_month(*month_of(row["occurred_on"], start_day)) != month:
            continue
        kind, amount, cid = row["type"], row["amount"], row["category_id"]
        income += amount if kind == "income" else 0
        expense += amount if kind == "expense" else 0
        by_day[row["occurred_on"].isoformat()][kind] += amount
        parent = parents.get(cid)
        for key in ([(kind, cid, parent), (kind, parent, None)] if parent else [(kind, cid, None)]):
            by_category[key][0] += amount
            by_category[key][1] += 1
    return {"income": income, "expense": expense, "net": income - expense, "by_day": dict(by_day),
            "by_category": {key: tuple(value) for key, value in by_category.items()}}


def get(world, url: str, **query) -> dict:
    response = world["client"].get(url, query_string=query, headers=world["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@SETTINGS
@given(drawn=entries_strategy, start_day=start_day_strategy)
def test_monthly_report_totals_equal_the_sums_of_the_months_entries(world, drawn, start_day):
    rows = world["load"](drawn, start_day)
    for month in months_in_range(start_day):
        body = get(world, "/api/v1/reports/monthly", month=month)
        expected = expected_month(rows, month, start_day, world["parents"])
        assert (body["income"], body["expense"], body["net"]) == \
            (expected["income"], expected["expense"], expected["net"]), month
        assert {day["date"]: {"income": day["income"], "expense": day["expense"]} for day in body["by_day"]
                if day["income"] or day["expense"]} == expected["by_day"]
        assert {(r["kind"], r["category_id"], r["parent_id"]): (r["total"], r["count"])
                for r in body["by_category"]} == expected["by_category"]
        for row in body["by_category"]:
            whole = body[row["kind"]]
            assert row["share"] == round(row["total"] / whole, 4)


@SETTINGS
@given(drawn=entries_strategy, start_day=start_day_strategy)
def test_trend_rows_equal_the_monthly_reports(world, drawn, start_day):
    world["load"](drawn, start_day)
    months = months_in_range(start_day)
    items = get(world, "/api/v1/reports/trend", **{"from": months[0], "to": months[-1]})["items"]
    assert [item["month"] for item in items] == months
    for item in items:
        body = get(world, "/api/v1/reports/monthly", month=item["month"])
        assert item == {"month": item["month"], "income": body["income"], "expense": body["expense"],
                        "net": body["net"]}


@SETTINGS
@given(drawn=entries_strategy, start_day=start_day_strategy)
def test_account_balances_are_opening_balance_plus_signed_sums(world, drawn, start_day):
    rows = world["load"](drawn, start_day)
    accounts = {item["id"]: item for item in get(world, "/api/v1/accounts")["items"]}
    expected = {account_id: accounts[account_id]["opening_balance"] for account_id in world["accounts"]}
    for row in rows:
        if row["type"] == "income":
            expected[row["account_id"]] += row["amount"]
        elif row["type"] == "expense":
            expected[row["account_id"]] -= row["amount"]
        else:
            expected[row["account_id"]] -= row["amount"]
            expected[row["to_account_id"]] += row["amount"]
    assert {account_id: accounts[account_id]["balance"] for account_id in world["accounts"]} == expected
    assert [accounts[a]["opening_balance"] for a in world["accounts"]] == [0, 1_000_000, -25_000]
