"""Fixtures of the schedules tests: a frozen household clock, a schedule body, a POST helper."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

URL = "/api/v1/schedules"
TODAY = date(2026, 12, 4)  # a Friday, in Seoul (the default ledger time zone)


@pytest.fixture
def clock(monkeypatch):
    """Freeze the household clock (ledger.clock) at a UTC moment; by default noon of TODAY in Seoul."""

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr("ledger.clock.utcnow", lambda: moment)

    freeze(datetime(2026, 12, 4, 3, 0, tzinfo=UTC))
    return freeze


def body(ids: dict, *, template: dict | None = None, **rule_and_fields) -> dict:
    """An auto monthly expense of 500000 (rent) from Cash in Housing or the first expense category."""
    categories = ids["categories"]
    category = categories.get("Housing") or categories.get("Food")
    rule = {"freq": "monthly", "start_on": "2027-01-25"}
    fields = {k: rule_and_fields.pop(k) for k in ("name", "mode") if k in rule_and_fields}
    rule.update(rule_and_fields)
    return {"name": fields.get("name", "Rent"), "mode": fields.get("mode", "auto"),
            "template": {"type": "expense", "amount": 500000, "account_id": ids["cash"], "category_id": category,
                         "memo": "rent", "tags": ["home"], **(template or {})},
            "rule": rule}


@pytest.fixture
def create(client, logged_in, ids, clock):
    """POST /schedules as the logged-in user (body() with the overrides); asserts nothing."""

    def post(template: dict | None = None, **overrides):
        return client.post(URL, json=body(ids, template=template, **overrides), headers=logged_in.headers)

    return post
