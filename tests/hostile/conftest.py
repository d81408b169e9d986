"""Fixtures of the hostile-input tests: a logged-in user with one of everything, and table snapshots."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from ledger.accounts.models import Account
from ledger.budgets.models import Budget
from ledger.categories.models import Category
from ledger.entries.models import Entry, EntryTag, IdempotencyKey
from ledger.extensions import db
from tests.conftest import AuthActions, Sql, TestUser, default_ids

API = "/api/v1"

# Every table of the schema: a hostile request must leave each one exactly as it was.
TABLES = ("users", "sessions", "refresh_tokens", "accounts", "categories", "entries", "entry_tags", "budgets",
          "idempotency_keys")


def snapshot(sql: Sql) -> dict[str, tuple[int, list[str]]]:
    """table → (row count, every row): equal snapshots mean nothing was added, removed or changed."""
    result = {}
    for table in TABLES:
        rows = sorted(repr(tuple(row)) for row in sql.rows(f"SELECT * FROM {table}"))
        result[table] = (len(rows), rows)
    return result


@dataclass(frozen=True)
class Ref:
    """A placeholder in a request body or path, filled from World.ids when the request is built."""

    name: str


@dataclass
class World:
    """A logged-in user who owns one of everything a hostile request could aim at."""

    client: Any
    auth: AuthActions
    user: TestUser
    sql: Sql
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict:
        return self.auth.headers

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.ids[value.name]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def path(self, template: str) -> str:
        return API + template.format(**self.ids)


@pytest.fixture
def world(app, client, logged_in, user, sql) -> World:
    """The user's Cash and a Bank account, Food (expense) and Salary (income), a `Spare` expense category
    without entries, one tagged entry, one stored Idempotency-Key and one budget: every table has a row.
    Inserted directly, in one transaction (a request and a commit each would double the cost of a case)."""
    defaults = default_ids(sql, user)
    ids: dict[str, Any] = {"cash": defaults["cash"], "food": defaults["categories"]["Food"],
                           "salary": defaults["categories"]["Salary"], "email": user.email}
    with app.app_context():
        bank = Account(ledger_id=user.ledger_id, name="Bank", type="bank", opening_balance=0)
        spare = Category(ledger_id=user.ledger_id, name="Spare", kind="expense", parent_key=0)
        entry = Entry(ledger_id=user.ledger_id, created_by=user.id, type="expense", amount=1000,
                      occurred_on=date(2026, 11, 20),
                      account_id=ids["cash"], category_id=ids["food"], memo="seed", tag_rows=[EntryTag(tag="seed")])
        db.session.add_all([bank, spare, entry,
                            IdempotencyKey(ledger_id=user.ledger_id, user_id=user.id, key="seed-1",
                                           request_hash="0" * 64, status_code=201,
                                           response_body="{}"),
                            Budget(ledger_id=user.ledger_id, month="2026-11", category_id=ids["food"], amount=5000)])
        db.session.commit()
        ids.update(bank=bank.id, spare=spare.id, entry=entry.id)
    ids["session"] = sql.scalar("SELECT id FROM sessions WHERE user_id = :u", u=user.id)
    return World(client=client, auth=logged_in, user=user, sql=sql, ids=ids)

