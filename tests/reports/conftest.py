"""Fixtures of the report tests: the budget tests' categories and month start day, and bulk entries."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert

from ledger.entries.models import Entry
from ledger.extensions import db
from tests.budgets.conftest import family, start_day  # noqa: F401 - fixtures shared with tests/budgets


@pytest.fixture
def make_entries(app):
    """make_entry for many rows in one INSERT: make_entries(user, [dict(type=, amount=, occurred_on=, ...)])."""

    def factory(user, rows: list[dict]) -> None:
        values = [{"ledger_id": user.ledger_id, "type": "expense", "memo": "", "version": 1, "to_account_id": None,
                   "category_id": None, **row,
                   "occurred_on": date.fromisoformat(row["occurred_on"]) if isinstance(row["occurred_on"], str)
                   else row["occurred_on"]} for row in rows]
        if values:
            with app.app_context():
                db.session.execute(insert(Entry), values)
                db.session.commit()

    return factory
