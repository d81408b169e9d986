"""The database goes away and comes back: 503 problem+json meanwhile, recovery without a restart."""
from __future__ import annotations

import time

import pytest

from ledger import create_app
from tests.conftest import PASSWORD, assert_problem

pytestmark = pytest.mark.usefixtures("clean_pg")


@pytest.fixture
def proxied_app(pg_proxy):
    proxy, url = pg_proxy
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, DATABASE_CONNECT_TIMEOUT=2)
    yield app, proxy
    from ledger.extensions import db

    with app.app_context():
        db.engine.dispose()


def _login(client) -> dict:
    client.post("/api/v1/auth/register", json={"email": "fault@example.com", "password": PASSWORD})
    response = client.post("/api/v1/auth/login", json={"email": "fault@example.com", "password": PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_requests_answer_503_while_the_database_is_cut(proxied_app):
    app, proxy = proxied_app
    client = app.test_client()
    headers = _login(client)
    proxy.cut()
    body = assert_problem(client.get("/api/v1/me", headers=headers), 503, "service_unavailable")
    assert "Traceback" not in body["detail"] and "psycopg" not in str(body)
    assert_problem(client.get("/readyz"), 503, "service_unavailable")
    assert_problem(client.post("/api/v1/auth/login", json={"email": "fault@example.com", "password": PASSWORD}),
                   503, "service_unavailable")
    assert client.get("/healthz").status_code == 200  # the process itself is alive


def test_app_recovers_within_five_seconds_without_restart(proxied_app):
    app, proxy = proxied_app
    client = app.test_client()
    headers = _login(client)
    proxy.cut()
    assert client.get("/api/v1/me", headers=headers).status_code == 503
    proxy.restore()
    restored = time.monotonic()
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() - restored < 5, "no recovery within 5 s"
        time.sleep(0.1)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
