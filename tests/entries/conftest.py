"""Fixtures of the entries tests: the logged-in user's default ids and a POST helper."""
from __future__ import annotations

import pytest

from tests.conftest import default_ids

URL = "/api/v1/entries"


@pytest.fixture
def ids(sql, user) -> dict:
    """The logged-in user's cash account, default categories by name, and one more bank account."""
    return default_ids(sql, user)


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
