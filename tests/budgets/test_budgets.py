"""GET/PUT /api/v1/budgets/{month}: limits per expense category, spent with roll-up, accounting months."""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem

URL = "/api/v1/budgets/2026-11"


def put(client, auth, items, url=URL):
    return client.put(url, json={"items": items}, headers=auth.headers)


def budget_rows(sql, user, month="2026-11") -> list[tuple[int, int]]:
    return [tuple(row) for row in sql.rows("SELECT category_id, amount FROM budgets WHERE ledger_id = :u "
                                           "AND month = :m ORDER BY category_id", u=user.id, m=month)]


# --- reading and writing ---------------------------------------------------------------------------------------

def test_get_budget_of_a_month_without_limits_is_empty(client, logged_in):
    response = client.get(URL, headers=logged_in.headers)
    assert response.status_code == 200
    assert response.get_json() == {"month": "2026-11", "items": [],
                                   "total": {"amount": 0, "spent": 0, "remaining": 0}}


def test_put_budget_stores_the_limits_and_answers_like_get(client, logged_in, user, ids, sql):
    food, transport = ids["categories"]["Food"], ids["categories"]["Transport"]
    response = put(client, logged_in, [{"category_id": transport, "amount": 50000},
                                       {"category_id": food, "amount": 300000}])
    assert response.status_code == 200
    expected = {"month": "2026-11",
                "items": [{"category_id": food, "amount": 300000, "spent": 0, "remaining": 300000},
                          {"category_id": transport, "amount": 50000, "spent": 0, "remaining": 50000}],
                "total": {"amount": 350000, "spent": 0, "remaining": 350000}}
    assert response.get_json() == expected
    assert budget_rows(sql, user) == [(food, 300000), (transport, 50000)]
    assert client.get(URL, headers=logged_in.headers).get_json() == expected


def test_put_budget_replaces_the_months_whole_set(client, logged_in, user, ids, sql):
    cats = ids["categories"]
    put(client, logged_in, [{"category_id": cats["Food"], "amount": 1000},
                            {"category_id": cats["Transport"], "amount": 2000}])
    response = put(client, logged_in, [{"category_id": cats["Health"], "amount": 3000}])
    assert response.status_code == 200
    assert [item["category_id"] for item in response.get_json()["items"]] == [cats["Health"]]
    assert budget_rows(sql, user) == [(cats["Health"], 3000)]


def test_put_budget_leaves_other_months_alone(client, logged_in, user, ids, sql):
    food = ids["categories"]["Food"]
    put(client, logged_in, [{"category_id": food, "amount": 1000}], url="/api/v1/budgets/2026-10")
    put(client, logged_in, [{"category_id": food, "amount": 2000}])
    assert budget_rows(sql, user, "2026-10") == [(food, 1000)]
    assert budget_rows(sql, user, "2026-11") == [(food, 2000)]


def test_put_budget_with_no_items_removes_the_months_limits(client, logged_in, user, ids, sql):
    put(client, logged_in, [{"category_id": ids["categories"]["Food"], "amount": 1000}])
    response = put(client, logged_in, [])
    assert response.status_code == 200
    assert response.get_json()["items"] == []
    assert budget_rows(sql, user) == []


def test_get_budget_counts_the_months_expenses_in_the_category(client, logged_in, user, ids, make_entry):
    food = ids["categories"]["Food"]
    put(client, logged_in, [{"category_id": food, "amount": 10000}])
    make_entry(user, account_id=ids["cash"], category_id=food, amount=2500, occurred_on="2026-11-01")
    make_entry(user, account_id=ids["cash"], category_id=food, amount=1500, occurred_on="2026-11-30")
    make_entry(user, account_id=ids["cash"], category_id=food, amount=999, occurred_on="2026-12-01")
    make_entry(user, account_id=ids["cash"], category_id=food, amount=999, occurred_on="2026-10-31")
    body = client.get(URL, headers=logged_in.headers).get_json()
    assert body["items"] == [{"category_id": food, "amount": 10000, "spent": 4000, "remaining": 6000}]
    assert body["total"] == {"amount": 10000, "spent": 4000, "remaining": 6000}


def test_remaining_is_negative_when_over_budget(client, logged_in, user, ids, make_entry):
    food = ids["categories"]["Food"]
    put(client, logged_in, [{"category_id": food, "amount": 1000}])
    make_entry(user, account_id=ids["cash"], category_id=food, amount=1700)
    body = client.get(URL, headers=logged_in.headers).get_json()
    assert body["items"][0]["remaining"] == -700
    assert body["total"]["remaining"] == -700


def test_spent_of_a_parent_includes_its_children(client, logged_in, user, ids, family, make_entry):
    put(client, logged_in, [{"category_id": family["parent"], "amount": 10000}])
    make_entry(user, account_id=ids["cash"], category_id=family["parent"], amount=100)
    make_entry(user, account_id=ids["cash"], category_id=family["school"], amount=2000)
    make_entry(user, account_id=ids["cash"], category_id=family["toys"], amount=300)
    make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], amount=50000)
    body = client.get(URL, headers=logged_in.headers).get_json()
    assert body["items"] == [{"category_id": family["parent"], "amount": 10000, "spent": 2400, "remaining": 7600}]


def test_spent_of_a_child_is_its_own_entries_only(client, logged_in, user, ids, family, make_entry):
    put(client, logged_in, [{"category_id": family["toys"], "amount": 500}])
    make_entry(user, account_id=ids["cash"], category_id=family["parent"], amount=100)
    make_entry(user, account_id=ids["cash"], category_id=family["school"], amount=2000)
    make_entry(user, account_id=ids["cash"], category_id=family["toys"], amount=300)
    body = client.get(URL, headers=logged_in.headers).get_json()
    assert body["items"] == [{"category_id": family["toys"], "amount": 500, "spent": 300, "remaining": 200}]


def test_total_counts_a_child_limit_under_a_budgeted_parent_once(client, logged_in, user, ids, family,
                                                                  make_entry):
    food = ids["categories"]["Food"]
    put(client, logged_in, [{"category_id": family["parent"], "amount": 10000},
                            {"category_id": family["toys"], "amount": 4000},
                            {"category_id": food, "amount": 5000}])
    make_entry(user, account_id=ids["cash"], category_id=family["toys"], amount=300)
    make_entry(user, account_id=ids["cash"], category_id=food, amount=1000)
    body = client.get(URL, headers=logged_in.headers).get_json()
    by_id = {item["category_id"]: item for item in body["items"]}
    assert by_id[family["parent"]]["spent"] == 300 and by_id[family["toys"]]["spent"] == 300
    # The toys limit is a part of the kids limit: neither the limit nor the 300 is counted twice.
    assert body["total"] == {"amount": 15000, "spent": 1300, "remaining": 13700}


def test_income_and_transfers_are_not_spending(client, logged_in, user, ids, make_account, make_entry):
    food = ids["categories"]["Food"]
    bank = make_account(user)
    put(client, logged_in, [{"category_id": food, "amount": 1000}])
    make_entry(user, account_id=ids["cash"], category_id=food, amount=100)
    # Not possible through the API; the budget must still count expenses only.
    make_entry(user, type="income", account_id=ids["cash"], category_id=food, amount=5000)
    make_entry(user, type="transfer", account_id=ids["cash"], to_account_id=bank, category_id=food, amount=7000)
    assert client.get(URL, headers=logged_in.headers).get_json()["items"][0]["spent"] == 100


def test_put_budget_accepts_an_archived_category(client, logged_in, user, ids, sql):
    food = ids["categories"]["Food"]
    sql.execute("UPDATE categories SET archived = :t WHERE id = :c", t=True, c=food)
    assert put(client, logged_in, [{"category_id": food, "amount": 1000}]).status_code == 200
    assert budget_rows(sql, user) == [(food, 1000)]


# --- accounting months (month_start_day) -----------------------------------------------------------------------

def test_spent_follows_the_accounting_month_when_it_starts_on_the_25th(client, logged_in, user, ids, make_entry,
                                                                        start_day):
    food = ids["categories"]["Food"]
    start_day(25)
    for month in ("2026-10", "2026-11", "2026-12"):
        put(client, logged_in, [{"category_id": food, "amount": 100000}], url=f"/api/v1/budgets/{month}")
    for day, amount in (("2026-10-24", 1), ("2026-10-25", 10), ("2026-11-24", 100), ("2026-11-25", 1000)):
        make_entry(user, account_id=ids["cash"], category_id=food, amount=amount, occurred_on=day)
    spent = {month: client.get(f"/api/v1/budgets/{month}", headers=logged_in.headers).get_json()["total"]["spent"]
             for month in ("2026-10", "2026-11", "2026-12")}
    # "2026-11" runs from 2026-10-25 to 2026-11-24.
    assert spent == {"2026-10": 1, "2026-11": 110, "2026-12": 1000}


def test_month_that_would_start_before_year_one_is_422(client, logged_in, user, sql, start_day):
    start_day(25)
    body = assert_problem(client.get("/api/v1/budgets/0001-01", headers=logged_in.headers), 422,
                          "validation_error")
    assert list(body["errors"]) == ["month"]


# --- users are isolated ----------------------------------------------------------------------------------------

def test_other_users_entries_never_count(client, logged_in, user, ids, make_user, make_entry, sql):
    other = make_user()
    other_cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id)
    other_food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    make_entry(other, account_id=other_cash, category_id=other_food, amount=777)
    put(client, logged_in, [{"category_id": ids["categories"]["Food"], "amount": 1000}])
    assert client.get(URL, headers=logged_in.headers).get_json()["total"]["spent"] == 0


def test_other_users_budgets_are_not_shown(client, logged_in, make_user, sql):
    other = make_user()
    other_food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    sql.execute("INSERT INTO budgets (ledger_id, month, category_id, amount) VALUES (:u, '2026-11', :c, 5)",
                u=other.id, c=other_food)
    assert client.get(URL, headers=logged_in.headers).get_json()["items"] == []


def test_put_with_another_users_category_is_422_and_changes_nothing(client, logged_in, user, ids, make_user,
                                                                     sql):
    food = ids["categories"]["Food"]
    put(client, logged_in, [{"category_id": food, "amount": 1000}])
    other = make_user()
    other_food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    response = put(client, logged_in, [{"category_id": other_food, "amount": 5}])
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"items": {"0": {"category_id": ["No such category."]}}}
    assert budget_rows(sql, user) == [(food, 1000)]
    assert sql.count("budgets", "ledger_id = :u", u=other.ledger_id) == 0


# --- invalid input ---------------------------------------------------------------------------------------------

def test_put_with_an_income_category_is_422_and_changes_nothing(client, logged_in, user, ids, sql):
    food = ids["categories"]["Food"]
    put(client, logged_in, [{"category_id": food, "amount": 1000}])
    response = put(client, logged_in, [{"category_id": food, "amount": 2000},
                                       {"category_id": ids["categories"]["Salary"], "amount": 5}])
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"items": {"1": {"category_id": ["Budgets are for expense categories only."]}}}
    assert budget_rows(sql, user) == [(food, 1000)]


def test_put_with_a_category_listed_twice_is_422_and_changes_nothing(client, logged_in, user, ids, sql):
    food = ids["categories"]["Food"]
    response = put(client, logged_in, [{"category_id": food, "amount": 1000},
                                       {"category_id": food, "amount": 2000}])
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"items": {"1": {"category_id": ["This category is already listed in items."]}}}
    assert budget_rows(sql, user) == []


def test_put_with_an_unknown_category_is_422(client, logged_in, user, sql):
    body = assert_problem(put(client, logged_in, [{"category_id": 999999, "amount": 5}]), 422, "validation_error")
    assert body["errors"] == {"items": {"0": {"category_id": ["No such category."]}}}
    assert budget_rows(sql, user) == []


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100", True, None, 2**53])
def test_put_with_an_invalid_amount_is_422(client, logged_in, user, ids, sql, amount):
    response = put(client, logged_in, [{"category_id": ids["categories"]["Food"], "amount": amount}])
    body = assert_problem(response, 422, "validation_error")
    assert list(body["errors"]["items"]["0"]) == ["amount"]
    assert budget_rows(sql, user) == []


@pytest.mark.parametrize("category_id", [0, -3, "1", 1.0, True, None, 2**31])
def test_put_with_an_invalid_category_id_is_422(client, logged_in, user, sql, category_id):
    body = assert_problem(put(client, logged_in, [{"category_id": category_id, "amount": 5}]), 422,
                          "validation_error")
    assert list(body["errors"]["items"]["0"]) == ["category_id"]
    assert budget_rows(sql, user) == []


@pytest.mark.parametrize(("body", "field"), [
    ({}, "items"),
    ({"items": None}, "items"),
    ({"items": {"category_id": 1, "amount": 5}}, "items"),
    ({"items": [], "month": "2026-11"}, "month"),
    ({"items": [{"amount": 5}]}, "items"),
    ({"items": [{"category_id": 1, "amount": 5, "note": "x"}]}, "items"),
    ({"items": [{"category_id": 1, "amount": 5}] * 501}, "items"),
])
def test_put_with_an_invalid_body_is_422(client, logged_in, user, sql, body, field):
    response = client.put(URL, json=body, headers=logged_in.headers)
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == [field]
    assert sql.count("budgets") == 0


def test_put_without_json_is_415(client, logged_in, sql):
    response = client.put(URL, data="items=1", headers=logged_in.headers)
    assert_problem(response, 415, "unsupported_media_type")
    assert sql.count("budgets") == 0


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "abc", "2026-00", "0000-01", "26-11", "2026-11-01"])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_invalid_month_in_the_path_is_422(client, logged_in, sql, month, method):
    response = client.open(f"/api/v1/budgets/{month}", method=method, json={"items": []},
                           headers=logged_in.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"month": [body["errors"]["month"][0]]}
    assert sql.count("budgets") == 0


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_budgets_need_an_access_token(client, method, sql):
    response = client.open(URL, method=method, json={"items": []})
    assert_problem(response, 401, "authorization_required")
    assert sql.count("budgets") == 0


# --- cost ------------------------------------------------------------------------------------------------------

def test_get_budget_costs_two_statements_however_many_items(client, logged_in, user, ids, make_entry,
                                                            count_statements):
    expense = [cid for name, cid in ids["categories"].items() if name not in
               {"Salary", "Side income", "Interest", "Other income"}]
    for cid in expense:
        make_entry(user, account_id=ids["cash"], category_id=cid, amount=10)
    put(client, logged_in, [{"category_id": cid, "amount": 100} for cid in expense])
    with count_statements() as statements:
        response = client.get(URL, headers=logged_in.headers)
    assert response.status_code == 200 and len(response.get_json()["items"]) == len(expense)
    assert len(statements) == 2, statements  # the auth check, then one query


def test_put_budget_statement_count_does_not_grow_with_items(client, logged_in, ids, count_statements):
    expense = [cid for name, cid in ids["categories"].items() if name not in
               {"Salary", "Side income", "Interest", "Other income"}]
    counts = []
    for chosen in (expense[:1], expense):
        # Both replace a set (the change feed's tombstones of the old rows cost the same for 1 or 12).
        assert put(client, logged_in, [{"category_id": cid, "amount": 100} for cid in chosen]).status_code == 200
        with count_statements() as statements:
            assert put(client, logged_in, [{"category_id": cid, "amount": 100} for cid in chosen]).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
