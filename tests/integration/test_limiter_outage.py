"""The limiter's Redis goes away and comes back: login, register and refresh keep working (API.md §2).

A real `redis-server` on a free port, stopped and started again, behind a real gunicorn with 2 workers on
PostgreSQL. While Redis is down each worker limits in memory and logs one warning; when it is back the
workers find it by themselves (Flask-Limiter's backoff) and the limits are shared again.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis
import requests

from tests.conftest import PASSWORD
from tests.support.gunicorn import Server, start
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.gunicorn

WORKERS = 2
TIMEOUT = 10
FALLBACK_WARNING = "falling back to in-memory storage"


@pytest.fixture
def limited_server(database_url, app, redis_server, tmp_path) -> Iterator[Server]:
    """gunicorn -w 2, cookie transport, limits in the test's Redis; `app` first: its teardown empties the tables."""
    server = start(database_url, workers=WORKERS, log=tmp_path / "gunicorn.log", env={
        "RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": redis_server.url,
        "RATELIMIT_LOGIN": "1000 per minute", "RATELIMIT_REGISTER": "1000 per hour",
        "REFRESH_TOKEN_TRANSPORT": "cookie", "COOKIE_SECURE": "false", "LOG_LEVEL": "INFO"})
    yield server
    server.stop()


def _register_login_refresh(base: str) -> list[int]:
    """One person's register, failed login, login and two refreshes; the statuses."""
    email = f"outage-{uuid.uuid4().hex[:12]}@example.com"
    with requests.Session() as browser:
        statuses = [browser.post(base + "/api/v1/auth/register", json={"email": email, "password": PASSWORD},
                                 timeout=TIMEOUT).status_code,
                    browser.post(base + "/api/v1/auth/login", json={"email": email, "password": "wrong " * 3},
                                 timeout=TIMEOUT).status_code]
        login = browser.post(base + "/api/v1/auth/login", json={"email": email, "password": PASSWORD},
                             timeout=TIMEOUT)
        statuses.append(login.status_code)
        csrf = login.json().get("csrf_token", "")
        for _ in range(2):
            refresh = browser.post(base + "/api/v1/auth/refresh", headers={"X-CSRF-TOKEN": csrf}, timeout=TIMEOUT)
            statuses.append(refresh.status_code)
            csrf = refresh.json().get("csrf_token", "")
    return statuses


def _counted_in_redis(redis_server: RedisServer, base: str, batch: int = 8) -> bool:
    """Whether every one of `batch` failed logins for a new account was counted in Redis."""
    email = f"probe-{uuid.uuid4().hex[:12]}@example.com"
    for _ in range(batch):
        response = requests.post(base + "/api/v1/auth/login", json={"email": email, "password": "wrong " * 3},
                                 timeout=TIMEOUT)
        assert response.status_code == 401, response.text
    client = redis_server.client()
    try:
        counts = [int(client.get(key) or 0) for key in client.keys(f"*account:{email}*")]
    except redis.ConnectionError:
        return False
    finally:
        client.close()
    return counts == [batch]


def test_login_register_and_refresh_survive_a_redis_outage_and_limits_are_shared_again(limited_server,
                                                                                          redis_server):
    base = limited_server.base_url
    assert _register_login_refresh(base) == [201, 401, 200, 200, 200]
    assert _counted_in_redis(redis_server, base)

    redis_server.stop()
    during = [status for _ in range(6) for status in _register_login_refresh(base)]

    assert during == [201, 401, 200, 200, 200] * 6  # never a 500, nothing refused
    log = limited_server.log.read_text()
    # one warning per worker that noticed, not one per request (30 requests went through)
    assert 1 <= log.count(FALLBACK_WARNING) <= WORKERS, log[-3000:]

    redis_server.start()  # empty, on the same port
    deadline, shared_in_a_row = time.monotonic() + 90, 0
    while shared_in_a_row < 3:
        assert time.monotonic() < deadline, "the workers did not go back to Redis by themselves"
        shared_in_a_row = shared_in_a_row + 1 if _counted_in_redis(redis_server, base) else 0
        time.sleep(0 if shared_in_a_row else 1)
    assert "Traceback" not in limited_server.log.read_text()
