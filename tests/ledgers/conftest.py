"""Fixtures of the shared-ledger tests: a household (owner, editor, viewer on one ledger) and an outsider."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from ledger.ledgers import services
from tests.auth.test_auth_state import cached_app, counted, rdb  # noqa: F401 - the Redis auth state's fixtures
from tests.conftest import TestUser, login_body


@dataclass
class Person:
    """A user, logged in: `headers` carry their access token."""

    user: TestUser
    headers: dict

    @property
    def id(self) -> int:
        return self.user.id


@dataclass
class Household:
    ledger_id: int  # the owner's personal ledger, shared with the editor and the viewer
    owner: Person
    editor: Person
    viewer: Person
    outsider: Person  # a member of nothing but their own ledger

    def path(self, rest: str = "") -> str:
        return f"/api/v1/ledgers/{self.ledger_id}{rest}"


@pytest.fixture
def log_in(client):
    def factory(user: TestUser) -> Person:
        return Person(user, {"Authorization": f"Bearer {login_body(client, user)['access_token']}"})

    return factory


@pytest.fixture
def join(app):
    """join(user, ledger_id, role): a membership through the same service as `flask ledgers add-member`."""

    def factory(user: TestUser, ledger_id: int, role: str) -> None:
        with app.app_context():
            services.add_member(ledger_id, user.id, role)

    return factory


@pytest.fixture
def household(make_user, log_in, join) -> Household:
    owner, editor, viewer, outsider = (make_user(display_name=name) for name in ("Ann", "Ben", "Vic", "Oz"))
    join(editor, owner.ledger_id, "editor")
    join(viewer, owner.ledger_id, "viewer")
    return Household(owner.ledger_id, log_in(owner), log_in(editor), log_in(viewer), log_in(outsider))


def members_of(sql, ledger_id: int) -> dict[int, str]:
    """user id → role of the ledger's members, as stored."""
    return dict(sql.rows("SELECT user_id, role FROM ledger_members WHERE ledger_id = :l", l=ledger_id))


def default_of(sql, user_id: int) -> int | None:
    return sql.scalar("SELECT default_ledger_id FROM users WHERE id = :u", u=user_id)


# Every table that holds a ledger's data, with the columns that say what a row is (ids included).
LEDGER_TABLES = {
    "accounts": "id, name, type, opening_balance, archived",
    "categories": "id, name, kind, parent_id, color, archived",
    "entries": "id, type, amount, occurred_on, account_id, to_account_id, category_id, memo, version, "
               "created_by, updated_by",
    "budgets": "id, month, category_id, amount",
    "entry_lines": "id, entry_id, position, amount, category_id, memo",
}


def snapshot(sql, ledger_id: int) -> dict:
    """Everything stored of one ledger: its settings, members, data rows, tags and invitations."""
    found = {table: sorted(tuple(r) for r in sql.rows(f"SELECT {columns} FROM {table} WHERE ledger_id = :l",
                                                          l=ledger_id))
             for table, columns in LEDGER_TABLES.items()}
    found["ledger"] = [tuple(r) for r in sql.rows("SELECT name, currency, month_start_day FROM ledgers "
                                                  "WHERE id = :l", l=ledger_id)]
    found["members"] = sorted(members_of(sql, ledger_id).items())
    found["tags"] = sorted(tuple(r) for r in sql.rows(
        "SELECT t.entry_id, t.tag FROM entry_tags t JOIN entries e ON e.id = t.entry_id WHERE e.ledger_id = :l",
        l=ledger_id))
    found["invites"] = sorted(tuple(r) for r in sql.rows(
        "SELECT id, role, used_by, revoked_at IS NULL FROM ledger_invites WHERE ledger_id = :l", l=ledger_id))
    return found
