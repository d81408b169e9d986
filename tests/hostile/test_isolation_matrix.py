"""Another user's rows, through every ledger resource and method (issue 4): never visible, never changed.

Ids in paths answer 404 not_found exactly as a missing id does; ids in bodies or queries that refer to another
user's row are 422 validation_error naming the field; lists, reports, budgets and the export never count
another user's entries. After each request, every table is exactly as it was.
"""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from ledger.accounts.models import Account
from ledger.budgets.models import Budget
from ledger.categories.models import Category
from ledger.database import MAX_ID
from ledger.entries.models import Entry, EntryTag
from ledger.extensions import db
from tests.conftest import AuthActions, assert_problem
from tests.hostile.conftest import World, snapshot

API = "/api/v1"
MISSING = MAX_ID  # a valid id that no row has
THEIR_AMOUNT = 7777  # the other user's entries; no sum of the caller's ever contains it


@pytest.fixture
def other(app, world, make_user, sql) -> dict:
    """Another user with an account, a category and a child, a tagged entry, a budget and a live session;
    their ids go into world.ids as their_*."""
    user = make_user()
    with app.app_context():
        account = Account(ledger_id=user.ledger_id, name="Their bank", type="bank", opening_balance=0)
        category = Category(ledger_id=user.ledger_id, name="Their food", kind="expense", parent_key=0)
        db.session.add_all([account, category])
        db.session.flush()
        child = Category(ledger_id=user.ledger_id, name="Their snacks", kind="expense", parent_id=category.id,
                         parent_key=category.id)
        cash = db.session.query(Account.id).filter_by(ledger_id=user.ledger_id, type="cash").scalar()
        entry = Entry(ledger_id=user.ledger_id, created_by=user.id, type="expense", amount=THEIR_AMOUNT,
                      occurred_on=date(2026, 11, 20),
                      account_id=account.id, category_id=category.id, memo="their secret memo",
                      tag_rows=[EntryTag(tag="seed")])
        transfer = Entry(ledger_id=user.ledger_id, created_by=user.id, type="transfer", amount=THEIR_AMOUNT,
                         occurred_on=date(2026, 11, 21),
                         account_id=cash, to_account_id=account.id, memo="their transfer")
        db.session.add_all([child, entry, transfer,
                            Budget(ledger_id=user.ledger_id, month="2026-11", category_id=category.id, amount=50_000)])
        db.session.commit()
        ids = {"their_account": account.id, "their_category": category.id, "their_child": child.id,
               "their_entry": entry.id, "their_cash": cash}
    their_auth = AuthActions(app.test_client())
    their_auth.login(user)
    ids["their_session"] = sql.scalar("SELECT id FROM sessions WHERE user_id = :u", u=user.id)
    world.ids.update(ids, missing=MISSING)
    return {"user": user, "auth": their_auth, **ids}


def _send(world: World, method: str, path: str, body=None, query=None):
    return world.client.open(world.path(path), method=method, json=body, query_string=query, headers=world.headers)


# (method, path, body) with {their_*} ids in the path: 404, the same answer as for a missing id.
BY_PATH = {
    "get-account": ("GET", "/accounts/{id}", None, "their_account"),
    "patch-account": ("PATCH", "/accounts/{id}", {"name": "Mine now", "archived": True}, "their_account"),
    "delete-account": ("DELETE", "/accounts/{id}", None, "their_account"),
    "get-category": ("GET", "/categories/{id}", None, "their_category"),
    "patch-category": ("PATCH", "/categories/{id}", {"name": "Mine now", "archived": True}, "their_category"),
    "delete-category": ("DELETE", "/categories/{id}", None, "their_child"),
    "delete-category-reassign": ("DELETE", "/categories/{id}?reassign_to={food}", None, "their_category"),
    "get-entry": ("GET", "/entries/{id}", None, "their_entry"),
    "patch-entry": ("PATCH", "/entries/{id}", {"amount": 1, "memo": "mine now"}, "their_entry"),
    "delete-entry": ("DELETE", "/entries/{id}", None, "their_entry"),
    "delete-session": ("DELETE", "/auth/sessions/{id}", None, "their_session"),
}


@pytest.mark.parametrize("case", BY_PATH)
def test_another_users_resource_in_a_path_is_404_like_a_missing_one(world, other, case):
    method, template, body, key = BY_PATH[case]
    before = snapshot(world.sql)

    theirs = _send(world, method, template.replace("{id}", str(other[key])), body)
    missing = _send(world, method, template.replace("{id}", str(MISSING)), body)

    problem = assert_problem(theirs, 404, "not_found")
    assert problem["detail"] == assert_problem(missing, 404, "not_found")["detail"]
    assert snapshot(world.sql) == before


# (method, path, body or query, field): a reference to another user's row is "no such ..." (422).
_ENTRY = {"type": "expense", "amount": 1, "occurred_on": "2026-11-22", "account_id": "{cash}",
          "category_id": "{food}"}
_TRANSFER = {"type": "transfer", "amount": 1, "occurred_on": "2026-11-22", "account_id": "{cash}",
             "to_account_id": "{bank}"}
BY_REFERENCE = {
    "create-entry-account": ("POST", "/entries", {**_ENTRY, "account_id": "{their_account}"}, "account_id"),
    "create-entry-category": ("POST", "/entries", {**_ENTRY, "category_id": "{their_category}"}, "category_id"),
    "create-entry-child-category": ("POST", "/entries", {**_ENTRY, "category_id": "{their_child}"}, "category_id"),
    "create-transfer-from": ("POST", "/entries", {**_TRANSFER, "account_id": "{their_account}"}, "account_id"),
    "create-transfer-to": ("POST", "/entries", {**_TRANSFER, "to_account_id": "{their_account}"}, "to_account_id"),
    "patch-entry-account": ("PATCH", "/entries/{entry}", {"account_id": "{their_account}"}, "account_id"),
    "patch-entry-category": ("PATCH", "/entries/{entry}", {"category_id": "{their_category}"}, "category_id"),
    "patch-entry-to-transfer": ("PATCH", "/entries/{entry}", {"type": "transfer", "category_id": None,
                                                               "to_account_id": "{their_account}"}, "to_account_id"),
    "create-category-parent": ("POST", "/categories", {"name": "Sub", "kind": "expense",
                                                       "parent_id": "{their_category}"}, "parent_id"),
    "put-budget-category": ("PUT", "/budgets/2026-11", {"items": [{"category_id": "{their_category}",
                                                                   "amount": 100}]}, "items"),
    "delete-category-reassign-to": ("DELETE", "/categories/{food}", {"reassign_to": "{their_category}"},
                                    "reassign_to"),
}


def _fill(world: World, value):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world.ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(world, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(world, v) for v in value]
    return value


@pytest.mark.parametrize("case", BY_REFERENCE)
def test_a_reference_to_another_users_row_is_422_naming_the_field(world, other, case):
    method, path, payload, field = BY_REFERENCE[case]
    payload = _fill(world, payload)
    before = snapshot(world.sql)

    if method == "DELETE":
        response = _send(world, method, path, query=payload)
    else:
        response = _send(world, method, path, payload)

    body = assert_problem(response, 422, "validation_error")
    assert field in body["errors"], body
    assert snapshot(world.sql) == before


# --- reads never show another user's rows ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "forbidden"), [
    ("/accounts", "their_account"),
    ("/categories", "their_category"),
    ("/entries?limit=200", "their_entry"),
    ("/entries?account_id={their_account}", "their_entry"),
    ("/entries?category_id={their_category}", "their_entry"),
    ("/entries?tag=seed", "their_entry"),
    ("/entries?q=their", "their_entry"),
    ("/auth/sessions", "their_session"),
])
def test_a_list_never_holds_another_users_rows(world, other, path, forbidden):
    before = snapshot(world.sql)

    response = _send(world, "GET", path.format(**world.ids))

    assert response.status_code == 200, response.get_json()
    ids = {item["id"] for item in response.get_json()["items"]}
    assert other[forbidden] not in ids
    if path.startswith("/entries?tag"):
        assert ids == {world.ids["entry"]}  # the caller's own entry tagged "seed" is found
    assert snapshot(world.sql) == before


@pytest.mark.parametrize("query", [{}, {"q": "their"}, {"account_id": "{their_account}"},
                                   {"category_id": "{their_category}"}, {"month": "2026-11"}],
                         ids=["all", "q", "their-account", "their-category", "month"])
def test_the_export_never_holds_another_users_entries(world, other, query):
    response = _send(world, "GET", "/entries/export.csv", query=_fill(world, query))

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert "their" not in text.lower() and str(THEIR_AMOUNT) not in text
    assert all(row["memo"] == "seed" for row in rows)


def test_the_monthly_report_counts_only_the_callers_entries(world, other):
    response = _send(world, "GET", "/reports/monthly", query={"month": "2026-11"})

    assert response.status_code == 200
    report = response.get_json()
    assert (report["income"], report["expense"]) == (0, 1000)
    assert {row["category_id"] for row in report["by_category"]} == {world.ids["food"]}
    assert sum(day["expense"] for day in report["by_day"]) == 1000
    assert report["budget"] == {"amount": 5000, "spent": 1000, "remaining": 4000}


def test_the_trend_counts_only_the_callers_entries(world, other):
    response = _send(world, "GET", "/reports/trend", query={"from": "2026-10", "to": "2026-12"})

    assert response.status_code == 200
    assert [(m["month"], m["income"], m["expense"]) for m in response.get_json()["items"]] == \
        [("2026-10", 0, 0), ("2026-11", 0, 1000), ("2026-12", 0, 0)]


def test_the_budget_counts_only_the_callers_entries(world, other):
    response = _send(world, "GET", "/budgets/2026-11")

    assert response.status_code == 200
    budget = response.get_json()
    assert [(i["category_id"], i["amount"], i["spent"]) for i in budget["items"]] == [(world.ids["food"], 5000, 1000)]
    assert budget["total"] == {"amount": 5000, "spent": 1000, "remaining": 4000}


def test_account_balances_ignore_another_users_transfers_into_their_accounts(world, other):
    response = _send(world, "GET", "/accounts")

    balances = {a["id"]: a["balance"] for a in response.get_json()["items"]}
    assert balances == {world.ids["cash"]: -1000, world.ids["bank"]: 0}


def test_another_user_sees_none_of_the_callers_rows_either(world, other):
    # The matrix from the other side: the caller's seed entry, account and category are 404 to them.
    their = other["auth"]
    for path in (f"/entries/{world.ids['entry']}", f"/accounts/{world.ids['bank']}",
                 f"/categories/{world.ids['spare']}"):
        assert_problem(their.client.get(API + path, headers=their.headers), 404, "not_found")
