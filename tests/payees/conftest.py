"""Fixtures of the payees and rules tests: the household of tests/ledgers, payees made through the API."""
from __future__ import annotations

import pytest

from tests.ledgers.conftest import household, join, log_in  # noqa: F401 - shared fixtures

PAYEES = "/api/v1/payees"
ENTRIES = "/api/v1/entries"
RULES = "/api/v1/rules"


@pytest.fixture
def make_payee(client, logged_in):
    def factory(name: str, headers: dict | None = None) -> int:
        response = client.post(PAYEES, json={"name": name}, headers=headers or logged_in.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return factory


@pytest.fixture
def post_entry(client, logged_in, ids):
    """POST /entries as the logged-in user; an expense of 1000 in Food from Cash unless overridden (... drops
    a field)."""

    def post(headers: dict | None = None, **fields):
        body = {"type": "expense", "amount": 1000, "occurred_on": "2026-11-20", "account_id": ids["cash"],
                "category_id": ids["categories"]["Food"]}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not ...}
        return client.post(ENTRIES, json=body, headers={**logged_in.headers, **(headers or {})})

    return post
