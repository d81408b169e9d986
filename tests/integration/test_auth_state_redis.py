"""Revocation across hosts, and the Redis auth state's failure modes, with real servers.

Two gunicorn servers (separate masters and ports, one secret set, as two hosts behind a load balancer)
share PostgreSQL and, with AUTH_STATE_URL, a real redis-server of the test's own, which the tests
restart from an old snapshot, stop, and pause for writes (`CLIENT PAUSE ... WRITE`).
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import PASSWORD
from tests.integration.conftest import assert_http_problem, on_every_worker

pytestmark = pytest.mark.gunicorn

TTL = 2  # AUTH_STATE_TTL of these servers


def _register_and_login(server, email: str) -> str:
    assert server.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}).status_code == 201
    response = server.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _me(server, token):
    return lambda request_id: server.get("/api/v1/me", token=token, request_id=request_id)


def _ok(response) -> None:
    assert response.status_code == 200, response.text


def _revoked(response) -> None:
    assert_http_problem(response, 401, "token_revoked")


@pytest.fixture
def two_hosts(gunicorn):
    """start(**env) → servers A and B with the same secrets and settings."""

    def start(**env: str):
        a = gunicorn(**env)
        b = gunicorn(**env, SECRET_KEY=a.server.env["SECRET_KEY"], JWT_SECRET_KEY=a.jwt_secret)
        return a, b

    return start


@pytest.mark.parametrize("auth_state", [False, True], ids=["database", "redis-auth-state"])
def test_a_logout_on_one_host_is_refused_by_the_other_on_the_next_request(two_hosts, redis_server, auth_state):
    a, b = two_hosts(**({"AUTH_STATE_URL": redis_server.url, "AUTH_STATE_TTL": str(TTL)} if auth_state else {}))
    token = _register_and_login(a, "hosts@example.com")
    on_every_worker(a, "warm-a", _me(a, token), _ok)
    on_every_worker(b, "warm-b", _me(b, token), _ok)  # B's workers (and the copy) have seen it valid

    assert a.post("/api/v1/auth/logout", token=token).status_code == 204

    _revoked(b.get("/api/v1/me", token=token))
    on_every_worker(b, "after", _me(b, token), _revoked)
    on_every_worker(a, "after-a", _me(a, token), _revoked)


@pytest.fixture
def cached(gunicorn, redis_server):
    return gunicorn(AUTH_STATE_URL=redis_server.url, AUTH_STATE_TTL=str(TTL))


def test_redis_restarted_from_an_older_snapshot_does_not_bring_a_revoked_token_back(gunicorn, redis_server):
    # A long TTL, so that only the server's run_id can tell the snapshot's copies are old.
    server = gunicorn(AUTH_STATE_URL=redis_server.url, AUTH_STATE_TTL="60")
    token = _register_and_login(server, "snapshot@example.com")
    on_every_worker(server, "warm", _me(server, token), _ok)
    redis_server.client().save()  # the snapshot holds the copy of version 0

    assert server.post("/api/v1/auth/logout", token=token).status_code == 204
    redis_server.save_and_crash_without_saving()
    redis_server.start()  # loads the snapshot: version 0, still within its 60 s

    on_every_worker(server, "after", _me(server, token), _revoked)
    assert _register_and_login(server, "after-restart@example.com")  # and the app works on


def test_with_redis_down_every_worker_answers_from_the_database(cached, redis_server):
    token = _register_and_login(cached, "down@example.com")
    on_every_worker(cached, "warm", _me(cached, token), _ok)
    redis_server.stop()

    on_every_worker(cached, "down", _me(cached, token), _ok)
    started = time.monotonic()
    assert cached.post("/api/v1/auth/logout", token=token).status_code == 204
    assert time.monotonic() - started >= TTL  # it could not write through, so it outwaited every copy
    on_every_worker(cached, "revoked", _me(cached, token), _revoked)

    redis_server.start()
    fresh = _register_and_login(cached, "back@example.com")
    on_every_worker(cached, "back", _me(cached, fresh), _ok)
    _revoked(cached.get("/api/v1/me", token=token))


def test_a_logout_while_redis_holds_writes_is_refused_everywhere_once_it_answers(cached, redis_server):
    token = _register_and_login(cached, "paused@example.com")
    on_every_worker(cached, "warm", _me(cached, token), _ok)
    statuses: list[int] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            statuses.append(cached.get("/api/v1/me", token=token).status_code)

    reader = threading.Thread(target=keep_reading)
    control = redis_server.client()
    control.execute_command("CLIENT", "PAUSE", str((TTL + 6) * 1000), "WRITE")  # reads go on
    reader.start()
    try:
        logout = cached.post("/api/v1/auth/logout", token=token)
        answered = time.monotonic()
        assert logout.status_code == 204
        on_every_worker(cached, "paused", _me(cached, token), _revoked)
        assert time.monotonic() - answered < TTL + 6, "the pause ended before the checks: they prove nothing"
    finally:
        stop.set()
        reader.join(timeout=30)
        control.execute_command("CLIENT", "UNPAUSE")
        control.close()

    assert set(statuses) <= {200, 401} and statuses, statuses  # readers were never failed by the pause
    on_every_worker(cached, "unpaused", _me(cached, token), _revoked)
