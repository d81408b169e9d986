"""The check on every authenticated request costs exactly one SQL statement (§2)."""
from ledger.extensions import db
from tests.auth.helpers import SESSIONS


def test_me_costs_one_statement(client, logged_in, count_statements):
    with count_statements() as statements:
        response = client.get("/api/v1/me", headers=logged_in.headers)

    assert response.status_code == 200
    assert len(statements) == 1, statements


def test_sessions_list_costs_the_auth_check_plus_one_query(client, logged_in, count_statements):
    with count_statements() as statements:
        response = client.get(SESSIONS, headers=logged_in.headers)

    assert response.status_code == 200 and len(response.get_json()["items"]) == 1
    assert len(statements) == 2, statements
    assert "sessions" in statements[0].lower() and "users" in statements[0].lower()


def test_a_revoked_token_is_refused_after_one_statement(client, logged_in, count_statements):
    client.post("/api/v1/auth/logout", headers=logged_in.headers)

    with count_statements() as statements:
        response = client.get("/api/v1/me", headers=logged_in.headers)

    assert response.status_code == 401
    assert len(statements) == 1, statements


def test_a_badly_signed_token_is_refused_without_touching_the_database(client, logged_in, count_statements):
    with count_statements() as statements:
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {logged_in.access_token}x"})

    assert response.status_code == 401
    assert statements == []


def test_me_parses_the_token_once(client, logged_in, monkeypatch):
    """A regression guard for the lean path: PyJWT decodes (base64 + JSON) the token once per request."""
    from jwt.api_jws import PyJWS

    loads = []
    original = PyJWS._load
    monkeypatch.setattr(PyJWS, "_load", lambda self, token: loads.append(token) or original(self, token))

    response = client.get("/api/v1/me", headers=logged_in.headers)

    assert response.status_code == 200
    assert loads == [logged_in.access_token]


def test_an_authenticated_ledger_read_costs_the_auth_check_plus_its_own_queries(client, logged_in,
                                                                                 count_statements):
    with count_statements() as statements:
        response = client.get("/api/v1/accounts", headers=logged_in.headers)

    assert response.status_code == 200
    assert len(statements) == 2, statements
    assert "sessions" in statements[0].lower() and "nonce" in statements[0].lower()


def test_on_sqlite_the_check_is_all_that_sqlite_runs(app, client, logged_in, backend):
    """No BEGIN, no ROLLBACK, and no `PRAGMA read_uncommitted` when the connection goes back to the pool (an
    AUTOCOMMIT connection would run one on every request): SQLite's own trace of what it executed."""
    if backend != "sqlite":
        return  # PostgreSQL: the check runs on an AUTOCOMMIT connection; counted by test_me_costs_one_statement
    from sqlalchemy import event

    traced: list[str] = []
    with app.app_context():
        pool = db.engine.pool

    def checkout(dbapi_connection, record, proxy):
        dbapi_connection.set_trace_callback(traced.append)

    def checkin(dbapi_connection, record):
        dbapi_connection.set_trace_callback(None)

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        response = client.get("/api/v1/me", headers=logged_in.headers)
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)

    assert response.status_code == 200
    assert len(traced) == 1 and traced[0].lstrip().upper().startswith("SELECT"), traced
