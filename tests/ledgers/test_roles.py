"""Who may do what under /api/v1/ledgers/{id}/...: viewers read, editors write data, owners manage; a
non-member learns nothing, not even that the ledger exists."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import assert_problem
from tests.ledgers.conftest import snapshot

MONTH = "2026-11"
CSV = "text/csv; charset=utf-8"


@dataclass
class Seeded:
    account: int  # unused: may be deleted
    category: int  # unused expense category: may be deleted
    entry: int
    cash: int
    food: int


@pytest.fixture
def seeded(household, sql, make_account, make_category, make_entry) -> Seeded:
    owner = household.owner.user
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :l AND type = 'cash'", l=household.ledger_id)
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :l AND name = 'Food'", l=household.ledger_id)
    return Seeded(make_account(owner, name="Spare"), make_category(owner, name="Spare"),
                  make_entry(owner, account_id=cash, category_id=food, memo="rice", tags=("home",)), cash, food)


def reads(s: Seeded) -> list[tuple]:
    """(method, path under the ledger, request kwargs) of every ledger-scoped read."""
    return [("GET", "", {}), ("GET", "/members", {}),
            ("GET", "/accounts", {}), ("GET", f"/accounts/{s.account}", {}),
            ("GET", "/categories", {}), ("GET", f"/categories/{s.category}", {}),
            ("GET", "/entries", {}), ("GET", f"/entries/{s.entry}", {}), ("GET", "/entries/export.csv", {}),
            ("GET", f"/budgets/{MONTH}", {}), ("GET", f"/reports/monthly?month={MONTH}", {}),
            ("GET", f"/reports/trend?from=2026-01&to={MONTH}", {})]


def data_writes(s: Seeded) -> list[tuple]:
    """Every write of the ledger's data, each valid, in an order that succeeds for an editor."""
    return [
        ("POST", "/accounts", {"json": {"name": "Card", "type": "credit_card"}}),
        ("PATCH", f"/accounts/{s.account}", {"json": {"name": "Spare 2"}}),
        ("DELETE", f"/accounts/{s.account}", {}),
        ("POST", "/categories", {"json": {"name": "Pets", "kind": "expense"}}),
        ("PATCH", f"/categories/{s.category}", {"json": {"name": "Spare 2"}}),
        ("DELETE", f"/categories/{s.category}", {}),
        ("POST", "/entries", {"json": {"type": "expense", "amount": 500, "occurred_on": "2026-11-21",
                                       "account_id": s.cash, "category_id": s.food}}),
        ("PATCH", f"/entries/{s.entry}", {"json": {"memo": "changed"}}),
        ("PUT", f"/budgets/{MONTH}", {"json": {"items": [{"category_id": s.food, "amount": 300000}]}}),
        ("POST", "/entries/import", {"data": b"occurred_on,type,account,to_account,category,amount,memo,tags\r\n"
                                             b"2026-11-22,expense,Cash,,Food,700,imported,\r\n",
                                     "content_type": CSV}),
        ("DELETE", f"/entries/{s.entry}", {}),
    ]


def management(other) -> list[tuple]:
    """The owners' routes: ledger settings, roles, removing `other` (another member), invitations."""
    return [("PATCH", "", {"json": {"name": "Renamed"}}), ("DELETE", "", {"json": {"name": "Ann's ledger"}}),
            ("PATCH", f"/members/{other.id}", {"json": {"role": "editor"}}),
            ("DELETE", f"/members/{other.id}", {}),
            ("POST", "/invites", {"json": {"role": "editor"}}), ("GET", "/invites", {}),
            ("DELETE", "/invites/1", {})]


def send(client, person, base: str, method: str, path: str, kwargs: dict):
    return client.open(base + path, method=method, headers=person.headers, **kwargs)


def test_a_viewer_reads_everything(client, household, seeded):
    for method, path, kwargs in reads(seeded):
        response = send(client, household.viewer, household.path(), method, path, kwargs)
        assert response.status_code == 200, (path, response.get_data(as_text=True))


def test_a_viewer_gets_403_on_every_write_and_nothing_changes(client, household, seeded, sql):
    before = snapshot(sql, household.ledger_id)

    for method, path, kwargs in data_writes(seeded) + management(household.editor):
        response = send(client, household.viewer, household.path(), method, path, kwargs)
        assert_problem(response, 403, "forbidden_role")

    assert snapshot(sql, household.ledger_id) == before


def test_a_viewer_may_not_write_on_the_unscoped_paths_of_a_shared_default(client, household, seeded, sql):
    viewer = household.viewer
    assert client.patch("/api/v1/me", headers=viewer.headers,
                        json={"default_ledger_id": household.ledger_id}).status_code == 200
    before = snapshot(sql, household.ledger_id)

    for method, path, kwargs in data_writes(seeded):
        assert_problem(send(client, viewer, "/api/v1", method, path, kwargs), 403, "forbidden_role")

    assert snapshot(sql, household.ledger_id) == before
    assert client.get("/api/v1/entries", headers=viewer.headers).get_json()["items"][0]["id"] == seeded.entry


def test_an_editor_writes_the_data(client, household, seeded, sql):
    for method, path, kwargs in data_writes(seeded):
        response = send(client, household.editor, household.path(), method, path, kwargs)
        assert response.status_code in (200, 201, 204), (method, path, response.get_data(as_text=True))

    after = snapshot(sql, household.ledger_id)
    assert [e[7] for e in after["entries"]] == ["", "imported"]  # the seeded entry deleted, two added
    assert {e[9] for e in after["entries"]} == {household.editor.id}
    assert after["budgets"][0][1:] == (MONTH, seeded.food, 300000)
    assert "Card" in {a[1] for a in after["accounts"]} and seeded.account not in {a[0] for a in after["accounts"]}


def test_an_editor_cannot_manage_the_ledger(client, household, seeded, sql):
    before = snapshot(sql, household.ledger_id)

    for method, path, kwargs in management(household.viewer):
        assert_problem(send(client, household.editor, household.path(), method, path, kwargs),
                       403, "forbidden_role")

    assert snapshot(sql, household.ledger_id) == before


def _answer(response) -> tuple:
    body = response.get_json()
    return response.status_code, response.mimetype, body["code"], body["detail"]


def test_a_non_member_gets_404_everywhere_as_for_a_ledger_that_does_not_exist(client, household, seeded, sql):
    outsider = household.outsider
    missing = sql.scalar("SELECT MAX(id) FROM ledgers") + 1000
    before = snapshot(sql, household.ledger_id)

    for method, path, kwargs in reads(seeded) + data_writes(seeded) + management(household.viewer):
        response = send(client, outsider, household.path(), method, path, kwargs)
        assert_problem(response, 404, "not_found")
        ghost = send(client, outsider, f"/api/v1/ledgers/{missing}", method, path, kwargs)
        assert _answer(response) == _answer(ghost), (method, path)

    assert snapshot(sql, household.ledger_id) == before


def test_an_owner_is_refused_nothing(client, household, seeded):
    for method, path, kwargs in reads(seeded) + data_writes(seeded):
        response = send(client, household.owner, household.path(), method, path, kwargs)
        assert response.status_code in (200, 201, 204), (method, path, response.get_data(as_text=True))
