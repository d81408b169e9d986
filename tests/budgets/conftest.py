"""Fixtures of the budget tests: a parent/child category pair, the month start day."""
from __future__ import annotations

import pytest


@pytest.fixture
def family(make_category, user) -> dict:
    """An expense parent "Kids" with two children, "School" and "Toys"."""
    parent = make_category(user, name="Kids")
    return {"parent": parent, "school": make_category(user, name="School", parent_id=parent),
            "toys": make_category(user, name="Toys", parent_id=parent)}


@pytest.fixture
def start_day(sql, user):
    """start_day(25) sets the user's month_start_day (what PATCH /me does)."""

    def set_day(day: int) -> None:
        sql.execute("UPDATE ledgers SET month_start_day = :d WHERE id = :u", d=day, u=user.ledger_id)

    return set_day
