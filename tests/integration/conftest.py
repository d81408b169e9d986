"""A real `gunicorn -w 4 wsgi:app` on PostgreSQL (and Redis for the limiter).

These tests run once, on PostgreSQL only: `database_url` is overridden here without the
sqlite/postgresql parametrization of tests/conftest.py, and skips when TEST_DATABASE_URL is not set.
The `app` and `sql` fixtures of tests/conftest.py then read the same database as the workers, and
`make_app` empties the tables after each test (they are emptied before it here too).
"""
from __future__ import annotations

import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import jwt as pyjwt
import pytest
import redis
import requests
from sqlalchemy import text

from ledger.extensions import db
from tests.conftest import PG_URL, _reset_schema, _tables_in_delete_order
from tests.support.gunicorn import GunicornError, Server, free_port
from tests.support.gunicorn import start as start_gunicorn
from tests.support.redis_server import RedisServer

WORKERS = 4
TIMEOUT = 10  # seconds, on every HTTP request of these tests
START_TIMEOUT = 20
STOP_TIMEOUT = 15
# One access-log line per request: worker pid, our X-Request-ID, status. The app's own code is untouched.
ACCESS_FORMAT = "%(p)s %({x-request-id}i)s %(s)s"
ACCESS_LINE = re.compile(r"^<(\d+)> (\S+) (\d{3})$")


@pytest.fixture(scope="session")
def database_url() -> str:
    """PostgreSQL only, migrated from nothing (overrides the parametrized fixture of tests/conftest.py)."""
    if not PG_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    _reset_schema(PG_URL)
    return PG_URL


def _truncate(app) -> None:
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(_tables_in_delete_order()) + " RESTART IDENTITY CASCADE"))


def new_request_id(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex}"


class Gunicorn:
    """One running gunicorn (a tests.support.gunicorn.Server): HTTP helpers, and who answered which request."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.base_url = server.base_url
        self.log = server.log
        self.access_log = server.access_log
        self.jwt_secret = server.env["JWT_SECRET_KEY"]

    # -- HTTP, always with a timeout and a request id that the access log records
    def get(self, path: str, *, token: str | None = None, request_id: str | None = None,
            headers: dict | None = None) -> requests.Response:
        return requests.get(self.base_url + path, headers=self._headers(token, request_id, headers),
                            timeout=TIMEOUT)

    def post(self, path: str, *, json: dict | None = None, token: str | None = None,
             request_id: str | None = None, headers: dict | None = None) -> requests.Response:
        return requests.post(self.base_url + path, json=json, headers=self._headers(token, request_id, headers),
                             timeout=TIMEOUT)

    @staticmethod
    def _headers(token: str | None, request_id: str | None, extra: dict | None) -> dict:
        headers = {"X-Request-ID": request_id or new_request_id("req"), **(extra or {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    # -- processes
    @property
    def master_pid(self) -> int:
        return self.server.master_pid

    def worker_pids(self) -> set[int]:
        return self.server.worker_pids()

    def served_by(self, request_ids: list[str]) -> dict[str, int]:
        """request id → pid of the worker that answered it (waits for the access log, bounded)."""
        wanted = set(request_ids)
        deadline = time.monotonic() + 5
        while True:
            answered: dict[str, int] = {}
            for line in self.access_log.read_text().splitlines():
                match = ACCESS_LINE.match(line.strip())
                if match and match.group(2) in wanted:
                    answered[match.group(2)] = int(match.group(1))
            if len(answered) == len(wanted) or time.monotonic() > deadline:
                assert set(answered) == wanted, f"{len(wanted - set(answered))} requests missing from the access log"
                return answered
            time.sleep(0.05)

    def claims(self, token: str) -> dict:
        """A token's verified claims (the test generated the server's JWT key)."""
        return pyjwt.decode(token, self.jwt_secret, algorithms=["HS256"], audience="ledger-api", issuer="ledger")

    def log_tail(self, lines: int = 40) -> str:
        return self.server.log_tail(lines)

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL if it lingers; then nothing of it may remain."""
        leftovers = self.server.stop(STOP_TIMEOUT)
        if leftovers:
            raise AssertionError(f"gunicorn left processes behind: {leftovers}")


@pytest.fixture
def gunicorn(app, tmp_path):
    """start(**env) → a running `gunicorn -w 4 wsgi:app` in production config on the test database.

    Each server gets fresh random secrets, shared by its master and all workers (preload_app and the
    environment). `env` adds or overrides settings (e.g. RATELIMIT_ENABLED="true"). Every server is
    stopped, process group and all, after the test, before `make_app` empties the tables.
    Launched by tests.support.gunicorn (ready = /healthz answers and all 4 workers are forked).
    """
    _truncate(app)
    started: list[Gunicorn] = []

    def start(**env: str) -> Gunicorn:
        number = len(started) + 1
        try:
            server = start_gunicorn(
                PG_URL, env={"LOG_LEVEL": "INFO", **env}, workers=WORKERS, timeout=START_TIMEOUT,
                log=tmp_path / f"gunicorn-{number}.log", access_log=tmp_path / f"gunicorn-{number}-access.log",
                access_log_format=ACCESS_FORMAT)
        except GunicornError as error:
            pytest.fail(str(error))
        started.append(Gunicorn(server))
        return started[-1]

    yield start
    errors = []
    for server in started:
        try:
            server.stop()
        except AssertionError as error:
            errors.append(str(error))
    assert not errors, errors


@pytest.fixture
def redis_keys(redis_url) -> Callable[[], list[str]]:
    client = redis.Redis.from_url(redis_url, socket_timeout=5, decode_responses=True)
    yield lambda: sorted(client.keys("*"))
    client.close()


def fire_together(requests_to_send: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Each request from its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(len(requests_to_send))

    def one(send: Callable[[], requests.Response]) -> requests.Response:
        barrier.wait(timeout=TIMEOUT)
        return send()

    with ThreadPoolExecutor(max_workers=len(requests_to_send)) as pool:
        return list(pool.map(one, requests_to_send))


def on_every_worker(server: Gunicorn, tag: str, send: Callable[[str], requests.Response],
                    check: Callable[[requests.Response], None], batch: int = 40,
                    max_rounds: int = 5) -> set[int]:
    """Batches of `batch` parallel requests until every worker has answered some; each answer is checked.

    `send(request_id)` makes one request. Returns the pids of the workers that answered.
    """
    workers = server.worker_pids()
    answered: set[int] = set()
    for round_number in range(max_rounds):
        ids = [new_request_id(f"{tag}{round_number}") for _ in range(batch)]
        for response in fire_together([partial(send, request_id) for request_id in ids]):
            check(response)
        answered |= set(server.served_by(ids).values())
        if answered >= workers:
            break
    return answered


def assert_http_problem(response: requests.Response, status: int, code: str) -> dict:
    """The contract's error shape, over real HTTP."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    return body


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own (tests.support.redis_server), stopped after the test."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()
