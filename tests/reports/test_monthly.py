"""GET /api/v1/reports/monthly: totals, by category (rolled up), every day, budget totals."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.conftest import assert_problem

URL = "/api/v1/reports/monthly"
ONE_DAY = timedelta(days=1)


def _bounds(start_day: int) -> tuple[date, date]:
    """2026-11's first and last days with month_start_day 1 or 25."""
    return (date(2026, 11, 1), date(2026, 11, 30)) if start_day == 1 else (date(2026, 10, 25), date(2026, 11, 24))


def report(client, auth, month="2026-11", **params):
    response = client.get(URL, query_string={"month": month, **params}, headers=auth.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_report_of_an_empty_month(client, logged_in):
    body = report(client, logged_in)
    assert {k: v for k, v in body.items() if k != "by_day"} == {
        "month": "2026-11", "from": "2026-11-01", "to": "2026-11-30", "currency": "KRW",
        "income": 0, "expense": 0, "net": 0, "by_category": [], "budget": None, "budgets": [], "recent": []}
    assert len(body["by_day"]) == 30
    assert all(day["income"] == 0 and day["expense"] == 0 for day in body["by_day"])


def test_currency_is_the_users(client, make_user, auth):
    user = make_user(currency="USD")
    auth.login(user)
    assert report(client, auth)["currency"] == "USD"


def test_totals_sum_the_months_income_and_expense(client, logged_in, user, ids, make_entry):
    cats = ids["categories"]
    make_entry(user, type="income", account_id=ids["cash"], category_id=cats["Salary"], amount=3_000_000,
               occurred_on="2026-11-01")
    make_entry(user, account_id=ids["cash"], category_id=cats["Food"], amount=12_000, occurred_on="2026-11-30")
    make_entry(user, account_id=ids["cash"], category_id=cats["Food"], amount=8_000, occurred_on="2026-11-15")
    make_entry(user, account_id=ids["cash"], category_id=cats["Food"], amount=5, occurred_on="2026-12-01")
    body = report(client, logged_in)
    assert (body["income"], body["expense"], body["net"]) == (3_000_000, 20_000, 2_980_000)


def test_transfers_are_neither_income_nor_expense(client, logged_in, user, ids, make_account, make_entry):
    bank = make_account(user)
    make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], amount=100)
    make_entry(user, type="transfer", account_id=ids["cash"], to_account_id=bank, amount=70_000)
    body = report(client, logged_in)
    assert (body["income"], body["expense"], body["net"]) == (0, 100, -100)
    assert [row["total"] for row in body["by_category"]] == [100]
    assert sum(day["income"] + day["expense"] for day in body["by_day"]) == 100


def test_sums_beyond_64_bits_are_exact(client, logged_in, user, ids, make_entries):
    # 1100 maximal amounts: past 2^63, where a plain SQL SUM overflows on SQLite.
    big = 2**53 - 1
    make_entries(user, [{"amount": big, "occurred_on": "2026-11-03", "account_id": ids["cash"],
                         "category_id": ids["categories"]["Food"]}] * 1100)
    body = report(client, logged_in)
    assert body["expense"] == big * 1100 and body["net"] == -big * 1100
    assert body["by_category"][0]["total"] == big * 1100
    assert body["by_day"][2] == {"date": "2026-11-03", "income": 0, "expense": big * 1100}


# --- by_category ---------------------------------------------------------------------------------------------

def test_by_category_rolls_children_up_into_their_parent(client, logged_in, user, ids, family, make_entry):
    cash, cats = ids["cash"], ids["categories"]
    make_entry(user, account_id=cash, category_id=family["parent"], amount=100)
    make_entry(user, account_id=cash, category_id=family["school"], amount=1500)
    make_entry(user, account_id=cash, category_id=family["school"], amount=500)
    make_entry(user, account_id=cash, category_id=family["toys"], amount=300)
    make_entry(user, account_id=cash, category_id=cats["Food"], amount=600)
    make_entry(user, type="income", account_id=cash, category_id=cats["Salary"], amount=5000)
    make_entry(user, type="income", account_id=cash, category_id=cats["Interest"], amount=1)
    rows = report(client, logged_in)["by_category"]
    assert rows == [
        {"category_id": family["parent"], "name": "Kids", "parent_id": None, "kind": "expense",
         "total": 2400, "count": 4, "share": 0.8},
        {"category_id": family["school"], "name": "School", "parent_id": family["parent"], "kind": "expense",
         "total": 2000, "count": 2, "share": 0.6667},
        {"category_id": family["toys"], "name": "Toys", "parent_id": family["parent"], "kind": "expense",
         "total": 300, "count": 1, "share": 0.1},
        {"category_id": cats["Food"], "name": "Food", "parent_id": None, "kind": "expense",
         "total": 600, "count": 1, "share": 0.2},
        {"category_id": cats["Salary"], "name": "Salary", "parent_id": None, "kind": "income",
         "total": 5000, "count": 1, "share": 0.9998},
        {"category_id": cats["Interest"], "name": "Interest", "parent_id": None, "kind": "income",
         "total": 1, "count": 1, "share": 0.0002},
    ]


def test_a_parent_without_own_entries_still_has_a_rolled_up_row(client, logged_in, user, ids, family,
                                                                  make_entry):
    make_entry(user, account_id=ids["cash"], category_id=family["toys"], amount=300)
    rows = report(client, logged_in)["by_category"]
    assert [(row["category_id"], row["parent_id"], row["total"], row["count"], row["share"]) for row in rows] == [
        (family["parent"], None, 300, 1, 1.0), (family["toys"], family["parent"], 300, 1, 1.0)]
    assert rows[0]["name"] == "Kids"


def test_top_level_rows_of_a_kind_add_up_to_its_total(client, logged_in, user, ids, family, make_entry):
    for cid, amount in ((family["parent"], 7), (family["school"], 11), (family["toys"], 13),
                        (ids["categories"]["Food"], 17)):
        make_entry(user, account_id=ids["cash"], category_id=cid, amount=amount)
    body = report(client, logged_in)
    assert sum(row["total"] for row in body["by_category"] if row["parent_id"] is None) == body["expense"] == 48


def test_share_is_rounded_to_four_decimals(client, logged_in, user, ids, make_entry):
    for name in ("Food", "Transport", "Health"):
        make_entry(user, account_id=ids["cash"], category_id=ids["categories"][name], amount=1)
    assert [row["share"] for row in report(client, logged_in)["by_category"]] == [0.3333] * 3


def test_rows_are_ordered_by_total_then_name(client, logged_in, user, ids, make_entry):
    cats = ids["categories"]
    for name, amount in (("Transport", 5), ("Food", 5), ("Health", 9)):
        make_entry(user, account_id=ids["cash"], category_id=cats[name], amount=amount)
    assert [row["name"] for row in report(client, logged_in)["by_category"]] == ["Health", "Food", "Transport"]


# --- by_day and the accounting month -------------------------------------------------------------------------

def test_by_day_lists_every_day_of_the_month_in_order(client, logged_in, user, ids, make_entry):
    cats = ids["categories"]
    make_entry(user, account_id=ids["cash"], category_id=cats["Food"], amount=40, occurred_on="2026-11-02")
    make_entry(user, account_id=ids["cash"], category_id=cats["Food"], amount=2, occurred_on="2026-11-02")
    make_entry(user, type="income", account_id=ids["cash"], category_id=cats["Salary"], amount=9,
               occurred_on="2026-11-02")
    by_day = report(client, logged_in)["by_day"]
    assert [day["date"] for day in by_day] == [(date(2026, 11, 1) + timedelta(days=i)).isoformat()
                                               for i in range(30)]
    assert by_day[1] == {"date": "2026-11-02", "income": 9, "expense": 42}
    assert sum(day["income"] + day["expense"] for day in by_day) == 51


def test_month_starting_on_the_25th_runs_from_the_25th_to_the_24th(client, logged_in, user, ids, make_entry,
                                                                    start_day):
    start_day(25)
    food = ids["categories"]["Food"]
    for day, amount in (("2026-10-24", 1), ("2026-10-25", 10), ("2026-11-24", 100), ("2026-11-25", 1000)):
        make_entry(user, account_id=ids["cash"], category_id=food, amount=amount, occurred_on=day)
    body = report(client, logged_in)
    assert (body["from"], body["to"], body["expense"]) == ("2026-10-25", "2026-11-24", 110)
    assert len(body["by_day"]) == 31
    assert body["by_day"][0] == {"date": "2026-10-25", "income": 0, "expense": 10}
    assert body["by_day"][-1] == {"date": "2026-11-24", "income": 0, "expense": 100}
    assert report(client, logged_in, month="2026-12")["expense"] == 1000
    assert report(client, logged_in, month="2026-10")["expense"] == 1


def test_february_starting_on_the_28th(client, logged_in, start_day):
    start_day(28)
    body = report(client, logged_in, month="2026-03")
    assert (body["from"], body["to"], len(body["by_day"])) == ("2026-02-28", "2026-03-27", 28)


# --- budget --------------------------------------------------------------------------------------------------

def test_budget_is_the_months_budget_totals(client, logged_in, user, ids, family, make_entry):
    food = ids["categories"]["Food"]
    client.put("/api/v1/budgets/2026-11", headers=logged_in.headers,
               json={"items": [{"category_id": food, "amount": 1000},
                               {"category_id": family["parent"], "amount": 500}]})
    make_entry(user, account_id=ids["cash"], category_id=food, amount=300)
    make_entry(user, account_id=ids["cash"], category_id=family["toys"], amount=800)
    assert report(client, logged_in)["budget"] == {"amount": 1500, "spent": 1100, "remaining": 400}
    assert report(client, logged_in, month="2026-12")["budget"] is None


@pytest.mark.parametrize("day", [1, 25])
def test_budgets_are_the_budget_endpoints_items(client, logged_in, user, ids, family, make_entry, start_day, day):
    start_day(day)
    first, last = _bounds(day)
    food = ids["categories"]["Food"]
    client.put("/api/v1/budgets/2026-11", headers=logged_in.headers,
               json={"items": [{"category_id": food, "amount": 1000}, {"category_id": family["parent"], "amount": 500},
                               {"category_id": family["school"], "amount": 200}]})
    for category, amount, day_ in ((food, 300, first), (family["parent"], 50, last), (family["school"], 150, first),
                                   (family["toys"], 800, last),  # the month's first and last days count
                                   (food, 7, first - ONE_DAY), (family["school"], 9, last + ONE_DAY)):  # these not
        make_entry(user, account_id=ids["cash"], category_id=category, amount=amount, occurred_on=day_)
    make_entry(user, type="income", account_id=ids["cash"], category_id=ids["categories"]["Salary"], amount=99,
               occurred_on=first)

    budgets = report(client, logged_in)["budgets"]
    assert budgets == sorted([
        {"category_id": food, "amount": 1000, "spent": 300, "remaining": 700},
        {"category_id": family["parent"], "amount": 500, "spent": 1000, "remaining": -500},  # 50 + 150 + 800
        {"category_id": family["school"], "amount": 200, "spent": 150, "remaining": 50},
    ], key=lambda item: item["category_id"])
    assert budgets == client.get("/api/v1/budgets/2026-11", headers=logged_in.headers).get_json()["items"]
    assert report(client, logged_in, month="2026-12")["budgets"] == []


# --- recent --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day", [1, 25])
def test_recent_is_the_months_five_newest_in_the_order_of_the_entries_list(client, logged_in, user, ids, make_user,
                                                                           make_account, make_entry, sql, start_day,
                                                                           day):
    start_day(day)
    first, last = _bounds(day)
    cash, food, salary = ids["cash"], ids["categories"]["Food"], ids["categories"]["Salary"]
    bank = make_account(user)
    make_entry(user, account_id=cash, category_id=food, occurred_on=last + ONE_DAY, memo="next month")
    make_entry(user, account_id=cash, category_id=food, occurred_on=first - ONE_DAY, memo="last month")
    # Ids grow in this order: ties on a day are listed by id, descending.
    for memo, day_ in (("a", first), ("b", last), ("c", first + 3 * ONE_DAY), ("d", first + 3 * ONE_DAY),
                       ("e", first + 3 * ONE_DAY), ("f", last), ("g", first + ONE_DAY)):
        if memo == "b":
            make_entry(user, type="income", account_id=cash, category_id=salary, amount=250_000, occurred_on=day_,
                       memo=memo, tags=("work", "monthly"))
        elif memo == "e":
            make_entry(user, type="transfer", account_id=cash, to_account_id=bank, occurred_on=day_, memo=memo)
        else:
            make_entry(user, account_id=cash, category_id=food, occurred_on=day_, memo=memo)
    other = make_user()
    make_entry(other, account_id=sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id),
               category_id=sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'",
                                      u=other.ledger_id),
               occurred_on=last, memo="someone else's")

    recent = report(client, logged_in)["recent"]
    assert [entry["memo"] for entry in recent] == ["f", "b", "e", "d", "c"]
    listed = client.get("/api/v1/entries", query_string={"month": "2026-11", "limit": 5}, headers=logged_in.headers)
    assert recent == listed.get_json()["items"]  # the same items, field for field
    assert (recent[1]["type"], recent[1]["amount"], recent[1]["tags"], recent[1]["currency"]) == (
        "income", 250_000, ["monthly", "work"], "KRW")
    assert (recent[2]["type"], recent[2]["to_account_id"], recent[2]["category_id"]) == ("transfer", bank, None)


def test_recent_lists_fewer_when_the_month_has_fewer(client, logged_in, user, ids, make_entry):
    made = [make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], occurred_on=day)
            for day in ("2026-11-02", "2026-11-01")]
    assert [entry["id"] for entry in report(client, logged_in)["recent"]] == made
    assert report(client, logged_in, month="2026-10")["recent"] == []


def test_openapi_documents_budgets_and_recent_with_the_endpoints_item_schemas(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    properties = schemas["MonthlyReport"]["properties"]
    assert properties["budgets"]["type"] == properties["recent"]["type"] == "array"
    assert properties["budgets"]["items"] == schemas["Budget"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/BudgetItem"}
    assert properties["recent"]["items"] == schemas["EntryPage"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/Entry"}
    assert "GET /budgets/{month}" in properties["budgets"]["description"]
    assert "GET /entries" in properties["recent"]["description"]
    assert {"month", "from", "to", "currency", "income", "expense", "net", "by_category", "by_day", "budget",
            "budgets", "recent"} == set(properties)


# --- users are isolated --------------------------------------------------------------------------------------

def test_other_users_entries_and_budgets_never_count(client, logged_in, make_user, sql, make_entry):
    other = make_user()
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id)
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    salary = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Salary'", u=other.ledger_id)
    make_entry(other, account_id=cash, category_id=food, amount=100)
    make_entry(other, type="income", account_id=cash, category_id=salary, amount=100)
    sql.execute("INSERT INTO budgets (ledger_id, month, category_id, amount) VALUES (:u, '2026-11', :c, 5)",
                u=other.id, c=food)
    body = report(client, logged_in)
    assert (body["income"], body["expense"], body["by_category"], body["budget"]) == (0, 0, [], None)
    assert (body["budgets"], body["recent"]) == ([], [])


# --- invalid input -------------------------------------------------------------------------------------------

def test_month_is_required(client, logged_in):
    body = assert_problem(client.get(URL, headers=logged_in.headers), 422, "validation_error")
    assert list(body["errors"]) == ["month"]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "abc", "", "2026-00", "0000-12", "2026-11-01"])
def test_invalid_month_is_422(client, logged_in, month):
    body = assert_problem(client.get(URL, query_string={"month": month}, headers=logged_in.headers), 422,
                          "validation_error")
    assert list(body["errors"]) == ["month"]


def test_unknown_query_parameter_is_422(client, logged_in):
    response = client.get(URL, query_string={"month": "2026-11", "currency": "USD"}, headers=logged_in.headers)
    assert assert_problem(response, 422, "validation_error")["errors"] == {"currency": ["Unknown field."]}


def test_month_that_would_start_before_year_one_is_422(client, logged_in, start_day):
    start_day(25)
    response = client.get(URL, query_string={"month": "0001-01"}, headers=logged_in.headers)
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["month"]


def test_report_needs_an_access_token(client):
    assert_problem(client.get(URL, query_string={"month": "2026-11"}), 401, "authorization_required")


# --- cost ----------------------------------------------------------------------------------------------------

def test_statement_count_is_five_for_0_5_and_500_entries(client, logged_in, user, ids, family, make_account,
                                                         make_entry, make_entries, count_statements):
    rng = random.Random(7)
    bank = make_account(user)
    income = {"Salary", "Side income", "Interest", "Other income"}
    categories = {"expense": [cid for name, cid in ids["categories"].items() if name not in income]
                  + list(family.values()),
                  "income": [cid for name, cid in ids["categories"].items() if name in income]}

    def entries(n: int) -> list[dict]:
        rows = []
        for _ in range(n):
            type_ = rng.choice(["income", "expense", "expense", "transfer"])
            row = {"type": type_, "amount": rng.randint(1, 10**6), "account_id": ids["cash"],
                   "occurred_on": date(2026, 11, rng.randint(1, 30))}
            if type_ == "transfer":
                row["to_account_id"] = bank
            else:
                row["category_id"] = rng.choice(categories[type_])
            rows.append(row)
        return rows

    client.put("/api/v1/budgets/2026-11", headers=logged_in.headers,
               json={"items": [{"category_id": ids["categories"]["Food"], "amount": 1000}]})
    counts = []
    for n in (0, 5, 495):
        if n:
            make_entries(user, entries(n))
            make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], occurred_on="2026-11-30",
                       tags=("a", "b"))  # the newest: its tags come with it
        with count_statements() as statements:
            body = report(client, logged_in)
        counts.append(len(statements))
        assert len(body["recent"]) == min(n + (n > 0), 5) and len(body["budgets"]) == 1
        assert not n or body["recent"][0]["tags"] == ["a", "b"]
    # auth, by day, by category, budget lines (also the budget totals), the newest entries with their tags
    assert counts == [5, 5, 5], counts
