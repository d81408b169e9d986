"""Fixtures: every test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

The schema comes from the migrations (never create_all); each test starts from empty tables.
"""
from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from ledger import create_app
from ledger.extensions import db, limiter

LOGIN = "/api/v1/auth/login"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery staple 42"

_counter = itertools.count(1)


def _tables_in_delete_order() -> list[str]:
    return [t.name for t in reversed(db.metadata.sorted_tables)]


def _reset_schema(url: str) -> None:
    """Bring the database to exactly the migrations' schema, from nothing."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    else:
        url = PG_URL
    _reset_schema(url)
    return url


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="session")
def _shared_apps():
    """One default-config app per database for the whole run: building an app (its OpenAPI document)
    costs ~0.2 s, more than most tests. Tests that need other settings get a fresh app from make_app."""
    apps: dict[str, object] = {}
    yield apps
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def make_app(database_url, _shared_apps):
    """Build apps with config overrides; every table is emptied after the test."""
    fresh = []
    shared_config = None
    limiter_enabled = limiter.enabled

    def factory(**overrides):
        nonlocal shared_config
        if not overrides:
            if database_url not in _shared_apps:
                _shared_apps[database_url] = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
            app = _shared_apps[database_url]
            if shared_config is None:
                shared_config = dict(app.config)  # restored after the test, whatever it changed
            return app
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **overrides)
        fresh.append(app)
        return app

    yield factory
    # The limiter is one object per process: an app built with other settings re-initialised it.
    limiter.enabled = limiter_enabled
    used = fresh + ([_shared_apps[database_url]] if shared_config is not None else [])
    if used:
        with used[0].app_context(), db.engine.begin() as conn:
            if database_url.startswith("postgresql"):
                conn.execute(text("TRUNCATE " + ", ".join(_tables_in_delete_order())
                                  + " RESTART IDENTITY CASCADE"))
            else:
                for table in _tables_in_delete_order():
                    conn.execute(text(f"DELETE FROM {table}"))
    if shared_config is not None:
        app = _shared_apps[database_url]
        app.config.clear()
        app.config.update(shared_config)
    for app in fresh:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def body_app(app, database_url, _shared_apps):
    """An app with REFRESH_TOKEN_TRANSPORT=body (native clients), built once per database and shared like the
    default app. `app` comes first so that its teardown empties the tables this app wrote to."""
    key = f"{database_url} body"
    if key not in _shared_apps:
        _shared_apps[key] = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                                       REFRESH_TOKEN_TRANSPORT="body")
    return _shared_apps[key]


@pytest.fixture
def body_client(body_app):
    return body_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Sql:
    """Read the database as a test sees it, outside any request."""

    def __init__(self, app):
        self.app = app

    def rows(self, sql: str, **params) -> list:
        with self.app.app_context():
            return list(db.session.execute(text(sql), params).all())

    def scalar(self, sql: str, **params):
        with self.app.app_context():
            return db.session.execute(text(sql), params).scalar()

    def count(self, table: str, where: str = "1=1", **params) -> int:
        return self.scalar(f"SELECT COUNT(*) FROM {table} WHERE {where}", **params)

    def execute(self, sql: str, **params) -> None:
        with self.app.app_context():
            db.session.execute(text(sql), params)
            db.session.commit()


@pytest.fixture
def sql(app) -> Sql:
    return Sql(app)


@dataclass
class TestUser:
    id: int
    email: str
    password: str
    ledger_id: int  # the user's default (personal) ledger


@pytest.fixture
def make_user(app):
    """Create a user through the same service as the API and the CLI."""
    from ledger.auth import users

    def factory(email: str | None = None, password: str = PASSWORD, **kwargs) -> TestUser:
        email = email or f"user{next(_counter)}@example.com"
        with app.app_context():
            user = users.create_user(email, password, **kwargs)
            return TestUser(user.id, user.email, password, user.default_ledger_id)

    return factory


def login_body(client, user: TestUser, **kwargs) -> dict:
    """Log in through the API and return the JSON body (asserting success); kwargs go to client.post."""
    response = client.post(LOGIN, json={"email": user.email, "password": user.password}, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class AuthActions:
    """Log in through the API and keep the tokens (flaskr's AuthActions, for JWTs)."""

    def __init__(self, client):
        self.client = client
        self.access_token: str | None = None
        self.body: dict = {}

    def login(self, user: TestUser, **headers) -> None:
        self.body = login_body(self.client, user, headers=headers)
        self.access_token = self.body["access_token"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}

    def csrf(self) -> str | None:
        cookie = self.client.get_cookie("csrf_refresh_token")
        return cookie.value if cookie else None

    def refresh(self, **headers):
        csrf = self.csrf()
        if csrf is not None:
            headers.setdefault("X-CSRF-TOKEN", csrf)
        return self.client.post("/api/v1/auth/refresh", headers=headers)


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def user(make_user) -> TestUser:
    return make_user()


@pytest.fixture
def logged_in(auth, user) -> AuthActions:
    auth.login(user)
    return auth


@pytest.fixture
def redis_url():
    """A Redis database of the tests' own (TEST_REDIS_URL), emptied before and after; a skip outside CI, a
    failure in it."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as error:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {url} is not reachable in CI: {error}")
        pytest.skip(f"needs Redis at {url} (set TEST_REDIS_URL): {error}")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def count_statements(app):
    """with count_statements() as statements: ... → the SQL statements run inside (of `of`, another app,
    when given: count_statements(of=other_app))."""

    @contextlib.contextmanager
    def counter(of=None):
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with (of or app).app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counter


def assert_problem(response, status: int, code: str) -> dict:
    """The contract's error shape: problem+json with `status` and `code`."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == "about:blank" and body["title"]
    return body


@pytest.fixture
def make_account(app):
    """Insert an account directly (tests of other features need one without the API)."""
    from ledger.accounts.models import Account

    def factory(user: TestUser, name: str | None = None, type: str = "bank", opening_balance: int = 0) -> int:
        with app.app_context():
            account = Account(ledger_id=user.ledger_id, name=name or f"Account {next(_counter)}", type=type,
                              opening_balance=opening_balance)
            db.session.add(account)
            db.session.commit()
            return account.id

    return factory


@pytest.fixture
def make_category(app):
    from ledger.categories.models import Category, parent_key

    def factory(user: TestUser, name: str | None = None, kind: str = "expense", parent_id: int | None = None) -> int:
        with app.app_context():
            category = Category(ledger_id=user.ledger_id, name=name or f"Category {next(_counter)}", kind=kind,
                                parent_id=parent_id, parent_key=parent_key(parent_id))
            db.session.add(category)
            db.session.commit()
            return category.id

    return factory


@pytest.fixture
def make_entry(app):
    """Insert an entry directly: make_entry(user, type="expense", amount=..., occurred_on="2026-11-20", ...)."""
    from datetime import date

    from ledger.entries.models import Entry, EntryTag

    def factory(user: TestUser, *, type: str = "expense", amount: int = 1000, occurred_on="2026-11-20",
                account_id: int, to_account_id: int | None = None, category_id: int | None = None,
                memo: str = "", tags: tuple[str, ...] = ()) -> int:
        day = date.fromisoformat(occurred_on) if isinstance(occurred_on, str) else occurred_on
        with app.app_context():
            entry = Entry(ledger_id=user.ledger_id, created_by=user.id, updated_by=user.id, type=type, amount=amount,
                          occurred_on=day, account_id=account_id,
                          to_account_id=to_account_id, category_id=category_id, memo=memo,
                          tag_rows=[EntryTag(tag=t) for t in tags])
            db.session.add(entry)
            db.session.commit()
            return entry.id

    return factory


def default_ids(sql: Sql, user: TestUser) -> dict:
    """The new user's cash account id and default category ids by name: {"cash": id, "categories": {name: id}}."""
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u AND type = 'cash'", u=user.ledger_id)
    categories = {name: cid for cid, name in sql.rows("SELECT id, name FROM categories WHERE ledger_id = :u",
                                                      u=user.ledger_id)}
    return {"cash": cash, "categories": categories}


@pytest.fixture
def ids(sql, user) -> dict:
    """default_ids of the `user` fixture."""
    return default_ids(sql, user)
