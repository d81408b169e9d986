"""Fixtures of the entries tests: the logged-in user's default ids, a POST helper, bulk inserts."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from ledger.entries.models import Entry, EntryTag
from ledger.extensions import db

URL = "/api/v1/entries"


@pytest.fixture
def bank(make_account, user) -> int:
    return make_account(user, name="Bank")


@pytest.fixture
def post_entry(client, logged_in, ids):
    """POST /entries as the logged-in user; an expense of 1000 in Food from Cash unless overridden."""

    def post(headers: dict | None = None, **fields):
        body = {"type": "expense", "amount": 1000, "occurred_on": "2026-11-20", "account_id": ids["cash"],
                "category_id": ids["categories"]["Food"]}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not ...}
        return client.post(URL, json=body, headers={**logged_in.headers, **(headers or {})})

    return post


def bulk_entries(app, ledger_id: int, account_id: int, category_id: int, count: int, *,
                 days: int = 30, tags: bool = False, seed: int = 7) -> list[int]:
    """Insert `count` expenses over `days` dates (many per date, in shuffled order) → their ids."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    rows = [{"ledger_id": ledger_id, "type": "expense", "amount": rng.randint(1, 100_000),
             "occurred_on": start + timedelta(days=rng.randrange(days)), "account_id": account_id,
             "category_id": category_id, "memo": f"entry {i}"} for i in range(count)]
    with app.app_context():
        before = db.session.execute(select(func.coalesce(func.max(Entry.id), 0))).scalar_one()
        db.session.execute(insert(Entry), rows)
        ids = list(db.session.execute(select(Entry.id).where(Entry.ledger_id == ledger_id, Entry.id > before))
                   .scalars())
        if tags:
            db.session.execute(insert(EntryTag), [{"entry_id": i, "tag": t} for i in ids for t in ("a", "b")])
        db.session.commit()
    return ids
