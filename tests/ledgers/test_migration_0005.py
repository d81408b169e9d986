"""Migration 0005 (shared ledgers) on a database filled by the previous release: nothing is lost, each user's
data becomes their personal ledger, the API serves it as before, and a downgrade gives it back.

The database is built at revision 0004 from nothing (a fresh SQLite file; on PostgreSQL a fresh schema of the
test database, so the suite's own `public` schema is left alone) and filled row by row as 0004's code wrote.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, create_engine, text

from ledger import create_app
from ledger.auth.passwords import hash_password
from ledger.extensions import db
from tests.conftest import BACKENDS, PASSWORD, PG_URL

BEFORE = "0004_entries_trend_index"
AFTER = "0005_shared_ledgers"
# Tables of 0004 that hold a user's data, and the columns compared after the round trip.
DATA_TABLES = ("users", "accounts", "categories", "entries", "entry_tags", "budgets", "idempotency_keys",
               "sessions", "refresh_tokens")


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """The URL of an empty database of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'release.db'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@dataclass
class OldUser:
    """What the previous release stored for one user, and what its API showed."""

    email: str
    currency: str
    month_start_day: int
    scale: int  # every amount of this user is a multiple of it: a row given to the wrong user shows
    id: int = 0
    accounts: dict = field(default_factory=dict)  # name → id
    categories: dict = field(default_factory=dict)
    entries: list = field(default_factory=list)  # (id, type, amount, day, account, to_account, category, memo, tags)


class Release:
    """Rows written with the 0004 schema, as reflected from the database (no model of today's code)."""

    def __init__(self, conn, backend: str) -> None:
        self.conn, self.backend = conn, backend
        self.metadata = MetaData()

    def ts(self, day: int) -> datetime:
        value = datetime(2026, 10, day, 9, 30, tzinfo=UTC)
        return value.replace(tzinfo=None) if self.backend == "sqlite" else value

    def insert(self, table: str, **values) -> int | None:
        reflected = Table(table, self.metadata, autoload_with=self.conn)
        statement = reflected.insert().values(**values)
        if "id" in reflected.c:
            return self.conn.execute(statement.returning(reflected.c.id)).scalar_one()
        self.conn.execute(statement)
        return None


def fill(release: Release, user: OldUser) -> None:
    """Accounts, categories with a child, entries with a transfer and tags, a budget, an idempotency key, a
    session with its refresh token: what a user of 0004 had."""
    s = user.scale
    user.id = release.insert("users", email=user.email, password_hash=hash_password(PASSWORD),
                             display_name=user.email.split("@")[0], currency=user.currency,
                             month_start_day=user.month_start_day, token_version=0, is_active=True,
                             created_at=release.ts(1), updated_at=release.ts(1))
    for name, kind, opening in (("Cash", "cash", 10 * s), ("Bank", "bank", 500 * s)):
        user.accounts[name] = release.insert("accounts", user_id=user.id, name=name, type=kind,
                                             opening_balance=opening, archived=False, created_at=release.ts(1))
    for name, kind, parent in (("Food", "expense", None), ("Dining", "expense", "Food"), ("Salary", "income", None)):
        parent_id = user.categories.get(parent)
        user.categories[name] = release.insert("categories", user_id=user.id, name=name, kind=kind,
                                               parent_id=parent_id, parent_key=parent_id or 0, color="#112233",
                                               archived=False, created_at=release.ts(1))
    # All inside 2026-11 for either month start (1st: Nov 1-30; 25th: Oct 25 - Nov 24).
    for kind, amount, day, account, to_account, category, memo, tags in (
            ("expense", 3 * s, date(2026, 11, 3), "Cash", None, "Food", f"groceries {user.email}", ("home", "weekly")),
            ("expense", 2 * s, date(2026, 11, 4), "Bank", None, "Dining", "dinner", ()),
            ("income", 100 * s, date(2026, 11, 5), "Bank", None, "Salary", "pay", ("job",)),
            ("transfer", 5 * s, date(2026, 11, 6), "Bank", "Cash", None, "to cash", ("move",))):
        entry_id = release.insert("entries", user_id=user.id, type=kind, amount=amount, occurred_on=day,
                                  account_id=user.accounts[account],
                                  to_account_id=user.accounts[to_account] if to_account else None,
                                  category_id=user.categories[category] if category else None, memo=memo,
                                  version=1, created_at=release.ts(2), updated_at=release.ts(2))
        for tag in tags:
            release.insert("entry_tags", entry_id=entry_id, tag=tag)
        user.entries.append((entry_id, kind, amount, day.isoformat(), user.accounts[account],
                             user.accounts[to_account] if to_account else None,
                             user.categories[category] if category else None, memo, tuple(sorted(tags))))
    release.insert("budgets", user_id=user.id, month="2026-11", category_id=user.categories["Food"], amount=40 * s)
    release.insert("idempotency_keys", user_id=user.id, key="retry-1", request_hash="0" * 64, status_code=201,
                   response_body="{}", created_at=release.ts(3))
    session = release.insert("sessions", user_id=user.id, user_agent="old phone", ip="198.51.100.7",
                             created_at=release.ts(3), last_used_at=release.ts(3), expires_at=release.ts(30),
                             revoked_at=None, nonce=uuid.uuid4().hex)
    release.insert("refresh_tokens", jti=uuid.uuid4().hex, session_id=session, issued_at=release.ts(3),
                   expires_at=release.ts(30), used_at=None, replaced_by=None)


def dump(conn) -> dict:
    """Every row of the data tables by column name, in a stable order."""
    found = {}
    for table in DATA_TABLES:
        rows = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
        found[table] = sorted(rows, key=lambda row: sorted((k, str(v)) for k, v in row.items()))
    return found


def expected_balances(user: OldUser) -> dict[int, int]:
    balance = {user.accounts["Cash"]: 10 * user.scale, user.accounts["Bank"]: 500 * user.scale}
    for _, kind, amount, _, account, to_account, _, _, _ in user.entries:
        balance[account] += amount if kind == "income" else -amount
        if to_account is not None:
            balance[to_account] += amount
    return balance


def check_served(app, user: OldUser, other: OldUser) -> None:
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}

    me = client.get("/api/v1/me", headers=headers).get_json()
    assert (me["currency"], me["month_start_day"], me["default_ledger_id"]) \
        == (user.currency, user.month_start_day, user.id)

    entries = client.get("/api/v1/entries?limit=100", headers=headers).get_json()["items"]
    assert sorted((e["id"], e["type"], e["amount"], e["occurred_on"], e["account_id"], e["to_account_id"],
                   e["category_id"], e["memo"], tuple(sorted(e["tags"]))) for e in entries) == sorted(user.entries)
    assert {(e["created_by"], e["updated_by"]) for e in entries} == {(user.id, user.id)}

    accounts = client.get("/api/v1/accounts", headers=headers).get_json()["items"]
    assert {a["id"]: a["balance"] for a in accounts} == expected_balances(user)

    report = client.get("/api/v1/reports/monthly?month=2026-11", headers=headers).get_json()
    s = user.scale
    assert (report["currency"], report["income"], report["expense"], report["net"]) \
        == (user.currency, 100 * s, 5 * s, 95 * s)
    assert report["from"] == ("2026-10-25" if user.month_start_day == 25 else "2026-11-01")
    food = next(row for row in report["by_category"] if row["category_id"] == user.categories["Food"])
    assert (food["total"], food["count"]) == (5 * s, 2)
    assert [(b["category_id"], b["amount"], b["spent"]) for b in report["budgets"]] \
        == [(user.categories["Food"], 40 * s, 5 * s)]

    # The other user's rows stay out of reach, through either path.
    assert client.get(f"/api/v1/entries/{other.entries[0][0]}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/ledgers/{other.id}/entries", headers=headers).status_code == 404


def test_0005_keeps_every_users_data_in_their_personal_ledger_and_gives_it_back(empty_database):
    backend = "sqlite" if empty_database.startswith("sqlite") else "postgresql"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database)
    minji = OldUser("minji@example.com", "KRW", 25, scale=1000)
    sam = OldUser("sam@example.com", "USD", 1, scale=7)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            release = Release(conn, backend)
            fill(release, minji)
            fill(release, sam)
        with db.engine.connect() as conn:
            before = dump(conn)

        upgrade()

        with db.engine.connect() as conn:
            for user in (minji, sam):
                row = conn.execute(text("SELECT currency, month_start_day FROM ledgers WHERE id = :u"),
                                   {"u": user.id}).one()
                assert tuple(row) == (user.currency, user.month_start_day)
                assert conn.execute(text("SELECT ledger_id, role FROM ledger_members WHERE user_id = :u"),
                                    {"u": user.id}).all() == [(user.id, "owner")]
                assert conn.execute(text("SELECT default_ledger_id FROM users WHERE id = :u"),
                                    {"u": user.id}).scalar() == user.id
                for table, count in (("accounts", 2), ("categories", 3), ("entries", 4), ("budgets", 1),
                                     ("idempotency_keys", 1)):
                    assert conn.execute(text(f"SELECT COUNT(*) FROM {table} WHERE ledger_id = :u"),
                                        {"u": user.id}).scalar() == count, table
                assert conn.execute(text("SELECT COUNT(*) FROM entries WHERE ledger_id = :u AND "
                                         "(created_by <> :u OR updated_by <> :u)"), {"u": user.id}).scalar() == 0
                assert conn.execute(text("SELECT user_id FROM idempotency_keys WHERE ledger_id = :u"),
                                    {"u": user.id}).scalar() == user.id
            assert conn.execute(text("SELECT COUNT(*) FROM ledgers")).scalar() == 2
            for table in ("entry_tags", "sessions", "refresh_tokens"):
                assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == len(before[table])

        check_served(app, minji, sam)
        check_served(app, sam, minji)
        # A new ledger after the migration does not collide with the personal ledgers' ids.
        client = app.test_client()
        token = client.post("/api/v1/auth/login", json={"email": sam.email, "password": PASSWORD}) \
            .get_json()["access_token"]
        created = client.post("/api/v1/ledgers", json={"name": "Trip"}, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201 and created.get_json()["id"] not in (minji.id, sam.id)
        client.delete(f"/api/v1/ledgers/{created.get_json()['id']}", json={"name": "Trip"},
                      headers={"Authorization": f"Bearer {token}"})

        downgrade(revision=BEFORE)

        with db.engine.connect() as conn:
            after = dump(conn)
        # The logins above added sessions; everything the old release wrote is back as it was.
        new_sessions = {row["id"] for row in after["sessions"]} - {row["id"] for row in before["sessions"]}
        after["sessions"] = [row for row in after["sessions"] if row["id"] not in new_sessions]
        after["refresh_tokens"] = [row for row in after["refresh_tokens"] if row["session_id"] not in new_sessions]
        # Sam's new ledger moved his membership_version on, and with it users.updated_at.
        for dumped in (after, before):
            for row in dumped["users"]:
                row.pop("updated_at")
        for table in DATA_TABLES:
            assert after[table] == before[table], table
        db.engine.dispose()
