"""The ledger's totals stay exact: a write that takes its amount bound past 2^53-1 is 422 amount_out_of_range.

The bound is Σ entry amounts + Σ |opening balances| + the largest month's Σ budget limits (ledger/ledgers/totals.py).
Each test brings the ledger to exactly 2^53-1 through the write under test, then shows that one more minor unit
is refused with nothing written.
"""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem

MAX = 2**53 - 1
ENTRIES = "/api/v1/entries"
ACCOUNTS = "/api/v1/accounts"
IMPORT = "/api/v1/entries/import"
HEADER = "occurred_on,type,account,to_account,category,amount,memo,tags"


def refused(response) -> None:
    assert_problem(response, 422, "amount_out_of_range")


def snapshot(sql, user) -> dict:
    """Everything a refused write could have touched."""
    ledger = user.ledger_id
    return {
        "entries": sql.rows("SELECT id, type, amount, account_id, version FROM entries WHERE ledger_id = :l "
                            "ORDER BY id", l=ledger),
        "tags": sql.count("entry_tags"),
        "accounts": sql.rows("SELECT id, name, opening_balance FROM accounts WHERE ledger_id = :l ORDER BY id",
                             l=ledger),
        "categories": sql.count("categories", "ledger_id = :l", l=ledger),
        "budgets": sql.rows("SELECT month, category_id, amount FROM budgets WHERE ledger_id = :l "
                            "ORDER BY month, category_id", l=ledger),
    }


def expense(ids, amount: int, **fields) -> dict:
    return {"type": "expense", "amount": amount, "occurred_on": "2026-11-20", "account_id": ids["cash"],
            "category_id": ids["categories"]["Food"], **fields}


def csv(*amounts: int) -> bytes:
    rows = [f"2026-11-0{n % 9 + 1},expense,New account,,New category,{amount},,tag" for n, amount in enumerate(amounts)]
    return "\r\n".join((HEADER, *rows)).encode() + b"\r\n"


def post_csv(client, auth, body: bytes, query: str = ""):
    return client.post(f"{IMPORT}?{query}" if query else IMPORT, data=body,
                       headers={**auth.headers, "Content-Type": "text/csv"})


# --- entries --------------------------------------------------------------------------------------------------

def test_a_new_entry_may_bring_the_ledger_to_exactly_the_limit_and_not_one_unit_more(client, logged_in, user,
                                                                                      ids, make_entry, sql):
    make_entry(user, type="income", amount=MAX - 1000, account_id=ids["cash"],
               category_id=ids["categories"]["Salary"])
    response = client.post(ENTRIES, json=expense(ids, 1000), headers=logged_in.headers)
    assert response.status_code == 201
    before = snapshot(sql, user)
    response = client.post(ENTRIES, json=expense(ids, 1, tags=["x"]), headers=logged_in.headers)
    refused(response)
    assert snapshot(sql, user) == before
    # Income and expense both count: the bound is of absolute amounts, whatever the balances net to.
    assert client.get(f"{ACCOUNTS}/{ids['cash']}", headers=logged_in.headers).get_json()["balance"] == MAX - 2000


def test_a_refused_entry_with_an_idempotency_key_stores_no_response(client, logged_in, user, ids, make_entry, sql):
    make_entry(user, amount=MAX, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    headers = {**logged_in.headers, "Idempotency-Key": "k1"}
    refused(client.post(ENTRIES, json=expense(ids, 1), headers=headers))
    assert sql.count("idempotency_keys") == 0
    refused(client.post(ENTRIES, json=expense(ids, 1), headers=headers))


def test_a_patch_may_raise_an_amount_up_to_the_limit_and_not_one_unit_more(client, logged_in, user, ids,
                                                                           make_entry, sql):
    make_entry(user, amount=MAX - 10, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    small = make_entry(user, amount=5, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    response = client.patch(f"{ENTRIES}/{small}", json={"amount": 10}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["amount"] == 10
    before = snapshot(sql, user)
    refused(client.patch(f"{ENTRIES}/{small}", json={"amount": 11, "memo": "more"}, headers=logged_in.headers))
    assert snapshot(sql, user) == before
    assert sql.scalar("SELECT memo FROM entries WHERE id = :i", i=small) == ""


def test_a_ledger_past_the_limit_still_accepts_writes_that_lower_it(client, logged_in, user, ids, make_entry, sql):
    # Written before the rule existed (or by hand): two maximal entries.
    first = make_entry(user, amount=MAX, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    second = make_entry(user, amount=MAX, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    refused(client.post(ENTRIES, json=expense(ids, 1), headers=logged_in.headers))
    response = client.patch(f"{ENTRIES}/{first}", json={"amount": 5, "type": "income",
                                                        "category_id": ids["categories"]["Salary"]},
                            headers=logged_in.headers)
    assert response.status_code == 200
    assert client.patch(f"{ENTRIES}/{second}", json={"memo": "kept"}, headers=logged_in.headers).status_code == 200
    assert client.delete(f"{ENTRIES}/{second}", headers=logged_in.headers).status_code == 204
    assert client.post(ENTRIES, json=expense(ids, MAX - 5), headers=logged_in.headers).status_code == 201


def test_the_limit_is_per_ledger(client, logged_in, user, ids, make_user, make_entry, sql):
    other = make_user()
    other_ids = {"cash": sql.scalar("SELECT id FROM accounts WHERE ledger_id = :l", l=other.ledger_id)}
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :l AND name = 'Food'", l=other.ledger_id)
    make_entry(other, amount=MAX, account_id=other_ids["cash"], category_id=food)
    assert client.post(ENTRIES, json=expense(ids, MAX), headers=logged_in.headers).status_code == 201


# --- CSV import -----------------------------------------------------------------------------------------------

def test_an_import_may_bring_the_ledger_to_exactly_the_limit_and_not_one_unit_more(client, logged_in, user, ids,
                                                                                   make_entry, sql):
    make_entry(user, amount=MAX - 100, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    assert post_csv(client, logged_in, csv(1), "dry_run=true").status_code == 200
    response = post_csv(client, logged_in, csv(60, 40))
    assert response.status_code == 200 and response.get_json()["imported"] == 2
    before = snapshot(sql, user)
    refused(post_csv(client, logged_in, csv(1), "dry_run=true"))
    refused(post_csv(client, logged_in, csv(1)))
    assert snapshot(sql, user) == before


def test_an_import_whose_sum_passes_64_bits_is_refused_with_nothing_written(client, logged_in, user, sql):
    # 1100 maximal amounts add up past 2^63, where a plain SQL SUM overflows on SQLite.
    before = snapshot(sql, user)
    refused(post_csv(client, logged_in, csv(*[MAX] * 1100)))
    refused(post_csv(client, logged_in, csv(*[MAX] * 1100), "dry_run=true"))
    assert snapshot(sql, user) == before


# --- accounts -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sign", [1, -1])
def test_an_opening_balance_counts_with_its_absolute_value(client, logged_in, user, ids, make_entry, sql, sign):
    make_entry(user, amount=MAX - 500, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    response = client.post(ACCOUNTS, json={"name": "Card", "type": "credit_card", "opening_balance": sign * 500},
                           headers=logged_in.headers)
    assert response.status_code == 201 and response.get_json()["balance"] == sign * 500
    before = snapshot(sql, user)
    refused(client.post(ACCOUNTS, json={"name": "Bank", "type": "bank", "opening_balance": sign},
                        headers=logged_in.headers))
    assert snapshot(sql, user) == before
    assert client.post(ACCOUNTS, json={"name": "Bank", "type": "bank"}, headers=logged_in.headers).status_code == 201


# --- budgets --------------------------------------------------------------------------------------------------

def test_a_months_budget_may_bring_the_ledger_to_exactly_the_limit_and_not_one_unit_more(client, logged_in, user,
                                                                                         ids, make_entry, sql):
    food, transport = ids["categories"]["Food"], ids["categories"]["Transport"]
    make_entry(user, amount=MAX - 300, account_id=ids["cash"], category_id=food)
    items = [{"category_id": food, "amount": 200}, {"category_id": transport, "amount": 100}]
    for month in ("2026-11", "2026-12"):  # each month's limits are compared with the limit, not their sum
        response = client.put(f"/api/v1/budgets/{month}", json={"items": items}, headers=logged_in.headers)
        assert response.status_code == 200 and response.get_json()["total"]["amount"] == 300
    november = client.get("/api/v1/budgets/2026-11", headers=logged_in.headers).get_json()
    assert november["total"] == {"amount": 300, "spent": MAX - 300, "remaining": 600 - MAX}
    before = snapshot(sql, user)
    refused(client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": food, "amount": 301}]},
                       headers=logged_in.headers))
    assert snapshot(sql, user) == before
    # A smaller set is always accepted.
    response = client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": food, "amount": 250}]},
                          headers=logged_in.headers)
    assert response.status_code == 200


def test_a_budget_keeps_room_for_entries(client, logged_in, user, ids, sql):
    food = ids["categories"]["Food"]
    response = client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": food, "amount": MAX - 7}]},
                          headers=logged_in.headers)
    assert response.status_code == 200
    assert client.post(ENTRIES, json=expense(ids, 7), headers=logged_in.headers).status_code == 201
    refused(client.post(ENTRIES, json=expense(ids, 1), headers=logged_in.headers))


# --- concurrent writes ----------------------------------------------------------------------------------------

def test_a_concurrent_write_is_checked_after_the_other_commits(app, client, logged_in, user, ids, sql):
    """Two writes that each fit but not together: the second waits for the first's transaction (the ledger's
    row lock on PostgreSQL, the one writer on SQLite), then sees its entry and is refused."""
    import threading
    import time
    from datetime import date

    from ledger.entries import services
    from ledger.extensions import db
    from ledger.ledgers.access import LedgerScope

    scope = LedgerScope(user.ledger_id, "", "KRW", 1, "owner", user.id)
    answers = []
    with app.app_context():
        services.create_entry(scope, {**expense(ids, MAX // 2 + 1), "occurred_on": date(2026, 11, 20)})
        # Our transaction is open, its entry written and checked: a request adding as much again must wait.
        request = threading.Thread(target=lambda: answers.append(
            client.post(ENTRIES, json=expense(ids, MAX // 2 + 1), headers=logged_in.headers)))
        request.start()
        time.sleep(0.5)
        assert request.is_alive() and answers == []
        db.session.commit()
    request.join(timeout=20)
    refused(answers[0])
    assert sql.count("entries", "ledger_id = :l", l=user.ledger_id) == 1


def test_a_new_entry_costs_the_check_two_statements_and_no_reload(client, logged_in, ids, count_statements):
    with count_statements() as statements:
        response = client.post(ENTRIES, json=expense(ids, 5), headers=logged_in.headers)
    assert response.status_code == 201 and response.get_json()["currency"] == "KRW"
    # the auth check, the ledger's rules (ledger.rules: none here), the account and the category, the ledger's
    # change-feed number (which locks its row, so the check needs no lock of its own), the INSERT, then the
    # ledger's bound: the response's currency is known without reading the new row back.
    assert len(statements) == 1 + 1 + 2 + 1 + 1 + 1, statements
    assert statements[4].lstrip().upper().startswith("UPDATE LEDGERS") and "INSERT INTO entries" in statements[5]
    assert "FOR" not in statements[6].upper().split("WHERE")[-1]
