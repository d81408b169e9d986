"""The production topology of deploy/ under test (issue 11): nginx with TLS, two app servers, PostgreSQL, Redis.

In order, on one topology (tests/topology/conftest.py):
(a) the browser's sign-in life cycle over https:// through nginx: __Secure- cookies, HSTS, the strict CSP;
(b) rate limits follow the real client address through X-Forwarded-For, and a forged one is not believed;
(c) a rolling release under load (HUP one server, then the other, then a full restart of one): nothing fails
    that the client does not retry safely, and the audit finds every acknowledged entry exactly once;
(d) signing-key rotation under traffic (new key verify-only everywhere, then signing everywhere): nobody is
    signed out, old tokens keep working, new ones carry the new kid;
(e) a backup/restore drill: pg_dump while writes run, restore, an app server on the copy serves exactly what
    was acknowledged before the dump started (and nothing that was never acknowledged).
"""
from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import create_engine, text

from ledger.auth.keys import header_kid, key_id
from ledger.spa import PAGE_CSP
from tests.conftest import PASSWORD
from tests.topology.conftest import (
    DEPLOY,
    DIST,
    HTTP_TIMEOUT,
    RESTORE_DATABASE,
    AppServer,
    Topology,
    drop_database,
    libpq_url,
    recreate_database,
    unavailable,
    write_env_file,
)

pytestmark = [pytest.mark.gunicorn, pytest.mark.slow]

API = "/api/v1"
HSTS = "max-age=63072000; includeSubDomains"  # deploy/nginx/ledger.conf's
RETRYABLE = {502, 503, 504}  # the proxy or the app could not answer: retried (with the same Idempotency-Key)
MAX_TRIES = 8
# Clients under load wait longer than nginx does for an app server (proxy_read_timeout 35 s): a client that gave
# up on a request the server still completes would retry a refresh whose successor it never saw, and be signed
# out when the grace window ends (README, "The grace window"). On 2 busy cores a reload can hold requests for
# several seconds while the new workers import the app.
CLIENT_TIMEOUT = 40
LOAD_CLIENTS = 4
MAX_OPERATIONS = 5000  # per client: the load is bounded in count as well as in time


def email(tag: str) -> str:
    return f"topo-{tag}-{uuid.uuid4().hex[:10]}@example.com"


def report(capsys, title: str, figures: dict) -> None:
    """Print the figures on the terminal even when pytest captures output."""
    with capsys.disabled():
        print(f"\n[topology] {title}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


# --- (a) the browser -----------------------------------------------------------------------------------------------


def _browser():
    from tests.browser import conftest as browser_tests

    if not (DIST / "index.html").is_file():
        unavailable(f"{DIST / 'index.html'} is missing: run `make web`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"Playwright for Python is not installed ({error})")
    if not shutil.which(browser_tests.CHROMIUM):
        unavailable(f"no chromium at {browser_tests.CHROMIUM}")
    return browser_tests, sync_playwright


def test_a_browser_signs_up_signs_in_and_stays_signed_in_over_https(topology: Topology):
    browser_tests, sync_playwright = _browser()
    from playwright.sync_api import expect

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_tests.CHROMIUM, args=browser_tests.CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=topology.base_url, ignore_https_errors=True, locale="en-US")
            context.set_default_timeout(15_000)
            expect.set_options(timeout=15_000)
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
            page.on("console", lambda message: problems.append(message.text)
                    if message.type == "error" and "Content Security Policy" in message.text else None)

            document = page.goto("/login")
            assert document is not None and document.status == 200
            headers = document.headers_array()
            assert [h["value"] for h in headers if h["name"].lower() == "strict-transport-security"] == [HSTS]
            assert [h["value"] for h in headers if h["name"].lower() == "content-security-policy"] == [PAGE_CSP]
            assert document.headers["cache-control"] == "no-cache"

            browser_tests.sign_up(page, email("browser"))
            cookies = {cookie["name"]: cookie for cookie in context.cookies()}
            refresh, csrf = cookies["__Secure-refresh_token"], cookies["__Secure-csrf_refresh_token"]
            assert refresh["secure"] and refresh["httpOnly"] and refresh["sameSite"] == "Strict"
            assert refresh["path"] == "/api/v1/auth"
            assert csrf["secure"] and not csrf["httpOnly"]
            assert not any(name in cookies for name in ("refresh_token", "csrf_refresh_token"))

            # A reload keeps the session: the SPA's start-up refresh sends the __Secure- cookie and gets a new one.
            with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/refresh")) as answered:
                page.reload()
            assert answered.value.status == 200
            sent = answered.value.request.all_headers().get("cookie", "")
            assert "__Secure-refresh_token=" in sent and "__Secure-csrf_refresh_token=" in sent
            assert answered.value.headers["strict-transport-security"] == HSTS
            expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
            assert "/login" not in page.url
            rotated = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
            assert rotated["__Secure-refresh_token"] != refresh["value"]
            context.close()
        finally:
            browser.close()
    assert problems == []


def test_nginx_serves_the_hashed_assets_and_redirects_http_to_https(topology: Topology):
    session = topology.client("127.0.0.1")
    page = session.get(topology.base_url + "/", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200 and "X-Request-ID" in page.headers  # index.html: from the app
    assert page.headers["Content-Security-Policy"] == PAGE_CSP
    assets = re.findall(r'/assets/[^"]+\.(?:js|css)', page.text)
    if not assets:
        pytest.skip("no web build published (make web)")
    asset = session.get(topology.base_url + assets[0], headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT)
    assert asset.status_code == 200
    assert "X-Request-ID" not in asset.headers  # served by nginx from disk, not by the app
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Encoding"] == "gzip"
    assert asset.headers["Strict-Transport-Security"] == HSTS
    assert asset.headers["X-Content-Type-Options"] == "nosniff"
    unknown = session.get(topology.base_url + "/assets/index-0000dead.js", timeout=HTTP_TIMEOUT)
    assert unknown.status_code == 404 and unknown.headers["Content-Type"].startswith("application/problem+json")

    plain = session.get(topology.nginx.http_url + "/entries/2026-11?x=1", allow_redirects=False, timeout=HTTP_TIMEOUT)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://127.0.0.1/entries/2026-11?x=1"


# --- (b) rate limits by the real client address ----------------------------------------------------------------------


def _failed_login(session: requests.Session, topology: Topology, forged: str | None = None) -> int:
    headers = {"X-Forwarded-For": forged} if forged else {}
    response = session.post(topology.base_url + API + "/auth/login", headers=headers, timeout=HTTP_TIMEOUT,
                            json={"email": email("nobody"), "password": "not the password of anyone"})
    return response.status_code


def test_rate_limits_follow_the_real_client_address_and_ignore_a_forged_one(topology: Topology):
    limited, other, forger = (topology.client(a) for a in ("127.0.0.2", "127.0.0.3", "127.0.0.4"))
    marks = topology.log_marks()

    # 10 per minute per client address, counted in Redis by both app servers (nginx alternates between them)
    assert [_failed_login(limited, topology) for _ in range(10)] == [401] * 10
    assert _failed_login(limited, topology) == 429
    assert _failed_login(other, topology) == 401  # another client is not limited
    # a client that writes someone else's address into X-Forwarded-For is still itself
    assert _failed_login(limited, topology, forged="127.0.0.99") == 429
    assert _failed_login(limited, topology, forged="127.0.0.3, 127.0.0.98") == 429
    assert [_failed_login(forger, topology, forged=f"10.0.0.{n}") for n in range(10)] == [401] * 10
    assert _failed_login(forger, topology, forged="10.0.0.200") == 429

    # what the app believed: the address nginx saw
    failed = [json.loads(line) for line in topology.app_logs(since=marks).splitlines()
              if line.startswith("{") and '"login_failed"' in line]
    assert {entry["ip"] for entry in failed} == {"127.0.0.2", "127.0.0.3", "127.0.0.4"}, failed


# --- load: writers with Idempotency-Keys, and readers ---------------------------------------------------------------


@dataclass
class Attempt:
    op: str
    started: float
    seconds: float
    outcome: str  # "ok", "failed" (retried unless it was the last try), "replayed" (201 Idempotent-Replayed)
    tries: int  # 0: the first attempt; more: a retry of the same request (the same Idempotency-Key)
    detail: str = ""  # why it failed: the status and body, or the connection error


@dataclass
class LoadClient:
    """One client on its own address: its own user; writes entries (each with an Idempotency-Key, a failed write
    retried with the SAME key and body) and reads lists. Records every attempt and every acknowledged entry."""

    topology: Topology
    source: str
    seed: int
    write_share: float = 0.6
    email: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    acked: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # key -> (id, sent, acknowledged)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session = self.topology.client(self.source)
        self.rng = random.Random(self.seed)
        self.email = email(f"load{self.seed}")

    def setup(self) -> None:
        self.topology.register(self.session, self.email)
        access = self.topology.login(self.session, self.email)["access_token"]
        self.session.headers["Authorization"] = "Bearer " + access
        accounts = self._json("GET", "/accounts")["items"]
        categories = self._json("GET", "/categories")["items"]
        self.account = next(a["id"] for a in accounts if a["type"] == "cash")
        self.category = next(c["id"] for c in categories if c["kind"] == "expense")

    def _json(self, method: str, path: str) -> dict:
        response = self.session.request(method, self.topology.base_url + API + path, timeout=HTTP_TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def _attempt(self, op: str, method: str, path: str, ok: int, **kwargs) -> requests.Response | None:
        """Up to MAX_TRIES attempts of one request; a connection error or a 502/503/504 is retried as it was."""
        for tries in range(MAX_TRIES):
            started = time.monotonic()
            try:
                response = self.session.request(method, self.topology.base_url + API + path, timeout=CLIENT_TIMEOUT,
                                                **kwargs)
            except requests.RequestException as error:
                last = repr(error)
                self.attempts.append(Attempt(op, started, time.monotonic() - started, "failed", tries, last))
            else:
                seconds = time.monotonic() - started
                if response.status_code == ok:
                    replayed = response.headers.get("Idempotent-Replayed") == "true"
                    self.attempts.append(Attempt(op, started, seconds, "replayed" if replayed else "ok", tries))
                    return response
                if response.status_code not in RETRYABLE:
                    self.attempts.append(Attempt(op, started, seconds, "unexpected", tries))
                    self.errors.append(f"{op}: {response.status_code} {response.text[:200]}")
                    return None
                last = f"{response.status_code} {response.text[:200]}"
                self.attempts.append(Attempt(op, started, seconds, "failed", tries, last))
            time.sleep(min(0.1 * 2 ** tries, 1.0))
        self.errors.append(f"{op}: gave up after {MAX_TRIES} tries: {last}")
        return None

    def write(self) -> None:
        key = uuid.uuid4().hex
        body = {"type": "expense", "amount": self.rng.randint(1, 90_000), "occurred_on": "2026-11-15",
                "account_id": self.account, "category_id": self.category, "memo": key}
        sent = time.monotonic()
        response = self._attempt("write", "POST", "/entries", 201, json=body, headers={"Idempotency-Key": key})
        if response is not None:
            self.acked[key] = (response.json()["id"], sent, time.monotonic())

    def read(self) -> None:
        self._attempt("read", "GET", "/entries", 200, params={"limit": 20})

    def run(self, stop: threading.Event, deadline: float) -> None:
        try:
            for _ in range(MAX_OPERATIONS):
                if stop.is_set() or time.monotonic() > deadline:
                    return
                self.write() if self.rng.random() < self.write_share else self.read()
        except Exception as error:  # noqa: BLE001 - reported by the test, not lost in a thread
            self.errors.append(f"client {self.source} crashed: {error!r}")


class Load:
    def __init__(self, clients: list[LoadClient], limit: float) -> None:
        self.clients = clients
        self.stop = threading.Event()
        deadline = time.monotonic() + limit
        self.threads = [threading.Thread(target=c.run, args=(self.stop, deadline), daemon=True) for c in clients]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(CLIENT_TIMEOUT * MAX_TRIES)
        assert not any(thread.is_alive() for thread in self.threads), "a load client did not stop"

    def attempts(self) -> list[Attempt]:
        return [attempt for client in self.clients for attempt in client.attempts]

    def errors(self) -> list[str]:
        return [error for client in self.clients for error in client.errors]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def audit(topology: Topology, clients: list[LoadClient], database_url: str | None = None) -> dict[str, list[int]]:
    """memo (= the write's Idempotency-Key) -> ids of the stored entries, per the database."""
    engine = create_engine(database_url or topology.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT e.id, e.memo FROM entries e JOIN users u "
                                     "ON u.default_ledger_id = e.ledger_id WHERE u.email = ANY(:emails)"),
                                {"emails": [c.email for c in clients]}).all()
    finally:
        engine.dispose()
    stored: dict[str, list[int]] = {}
    for row in rows:
        stored.setdefault(row.memo, []).append(row.id)
    return stored


# --- (c) a rolling release under load -------------------------------------------------------------------------------


def drain(topology: Topology, port: int, *, down: bool) -> None:
    """deploy/README.md's `sed` on the site (`down` added to or taken from the server's line), then nginx reload."""
    address = f"127\\.0\\.0\\.1:{port}"
    script = (rf"s/^\(\s*server {address} .*\);$/\1 down;/" if down
              else rf"s/^\(\s*server {address} .*\) down;$/\1;/")
    before = topology.site.read_text()
    subprocess.run(["sed", "-i", script, str(topology.site)], check=True, timeout=10)
    assert (" down;" in topology.site.read_text()) == down and topology.site.read_text() != before
    topology.nginx.reload()


def test_a_rolling_release_under_load_loses_nothing_and_duplicates_nothing(topology: Topology, capsys):
    first, second = topology.servers
    clients = [LoadClient(topology, f"127.0.0.{10 + n}", seed=n) for n in range(LOAD_CLIENTS)]
    for client in clients:
        client.setup()

    steps = {}
    with Load(clients, limit=60) as load:
        time.sleep(2)  # before the release: the baseline
        release_started = time.monotonic()
        steps["hup_1_s"] = round(first.reload(), 2)
        time.sleep(1)
        steps["hup_2_s"] = round(second.reload(), 2)
        time.sleep(1)
        steps["restart_1_s"] = round(first.restart(), 2)
        time.sleep(1.5)
        release_ended = time.monotonic()
        # deploy/README.md's drained restart: the server marked `down` in nginx first (the runbook's sed)
        drain_started = time.monotonic()
        drain(topology, second.port, down=True)
        drain_marks = {"drained": round(time.monotonic() - drain_started, 2)}
        time.sleep(1)
        steps["drained_restart_2_s"] = round(second.restart(), 2)
        drain_marks["restarted"] = round(time.monotonic() - drain_started, 2)
        drain(topology, second.port, down=False)
        drain_marks["undrained"] = round(time.monotonic() - drain_started, 2)
        time.sleep(1)
        drain_ended = time.monotonic()

    errors = load.errors()
    attempts = load.attempts()
    during = [a for a in attempts if release_started <= a.started <= release_ended]
    done = [a.seconds for a in during if a.outcome in {"ok", "replayed"}]
    figures = {
        "requests": len(attempts),
        "requests_during_release": len(during),
        "failures": sum(a.outcome == "failed" for a in attempts),
        "retries": sum(a.tries > 0 for a in attempts),
        "replayed_writes": sum(a.outcome == "replayed" for a in attempts),
        "failed_for_good": len(errors),
        "acknowledged_writes": sum(len(c.acked) for c in clients),
        "p50_ms_release": round(1000 * statistics.median(done), 1) if done else None,
        "p99_ms_release": round(1000 * percentile(done, 0.99), 1),
        "max_ms_release": round(1000 * max(done), 1) if done else None,
        "release_s": round(release_ended - release_started, 1),
        "failures_drained_restart": sum(a.outcome == "failed" and drain_started <= a.started <= drain_ended
                                        for a in attempts),
        **steps,
    }
    report(capsys, "rolling release under load", figures)
    (topology.tmp / "release-figures.json").write_text(json.dumps(figures))

    assert errors == [], errors[:10]
    assert figures["acknowledged_writes"] > 50 and len(during) > 50, figures
    # A drained server gets no requests from nginx while it restarts: no answer from it (502/503/504) fails
    # a request. The nginx reloads that drain and undrain it close the idle keep-alive connections of nginx's
    # old workers, and a request the client sends on one at that very moment meets a closed connection before
    # any answer (HTTP/1.1 keep-alive's race; clients resend such a request, as this one does with the same
    # Idempotency-Key, and as browsers do on a reused connection): allowed, counted, never lost (errors == []).
    drained = [a for a in attempts if drain_started <= a.started <= drain_ended]
    answered_failures = [(round(a.started - drain_started, 2), a.op, a.detail) for a in drained
                         if a.outcome == "failed" and a.detail[:1].isdigit()]
    assert drained and not answered_failures, ("a drained restart failed a request", answered_failures, drain_marks)
    stored = audit(topology, clients)
    acked = {key: entry_id for client in clients for key, (entry_id, _, _) in client.acked.items()}
    duplicated = {key: ids for key, ids in stored.items() if len(ids) > 1}
    missing = set(acked) - set(stored)
    never_acknowledged = set(stored) - set(acked)
    assert not duplicated and not missing and not never_acknowledged, (duplicated, missing, never_acknowledged)
    assert all(stored[key] == [entry_id] for key, entry_id in acked.items())


def test_the_reload_check_refuses_settings_that_cannot_start(topology: Topology):
    """`systemctl reload` runs deploy/check.py before HUP: a broken env file never replaces the serving workers."""
    broken = topology.tmp / "broken.env"
    write_env_file(broken, {**topology.settings, "JWT_SECRET_KEYS": "too-short"})
    refused = subprocess.run([sys.executable, str(DEPLOY / "check.py"), str(broken)], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 1 and "at least 32 bytes" in refused.stderr, refused.stderr
    accepted = subprocess.run([sys.executable, str(DEPLOY / "check.py"), str(topology.env_file)],
                              capture_output=True, text=True, timeout=120)
    assert accepted.returncode == 0 and accepted.stdout.strip() == "ok", accepted.stderr


# --- (d) signing-key rotation under traffic -------------------------------------------------------------------------


@dataclass
class SignedIn:
    """A signed-in client (cookie transport, like the SPA): GET /me, and a refresh every so often."""

    topology: Topology
    source: str
    email: str = ""
    statuses: list[tuple[str, int]] = field(default_factory=list)
    kids: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session = self.topology.client(self.source)
        self.email = email("rotation")
        self.topology.register(self.session, self.email)
        body = self.topology.login(self.session, self.email)
        self.first_access = self.access = body["access_token"]
        self.csrf = body["csrf_token"]

    def call(self, op: str, method: str, path: str, **kwargs) -> requests.Response | None:
        for tries in range(MAX_TRIES):
            try:
                response = self.session.request(method, self.topology.base_url + API + path, timeout=CLIENT_TIMEOUT,
                                                **kwargs)
            except requests.RequestException:
                self.statuses.append((op, 0))
            else:
                self.statuses.append((op, response.status_code))
                if response.status_code not in RETRYABLE:
                    return response
            time.sleep(min(0.1 * 2 ** tries, 1.0))
        self.errors.append(f"{op}: gave up")
        return None

    def me(self) -> None:
        response = self.call("me", "GET", "/me", headers={"Authorization": f"Bearer {self.access}"})
        if response is not None and response.status_code != 200:
            self.errors.append(f"GET /me: {response.status_code} {response.text[:200]}")

    def refresh(self) -> None:
        response = self.call("refresh", "POST", "/auth/refresh", headers={"X-CSRF-TOKEN": self.csrf})
        if response is None or response.status_code != 200:
            self.errors.append("refresh: " + (f"{response.status_code} {response.text[:200]}" if response is not None
                                              else "no answer"))
            return
        body = response.json()
        self.access, self.csrf = body["access_token"], body["csrf_token"]
        self.kids.add(header_kid(self.access))

    def run(self, stop: threading.Event, deadline: float) -> None:
        last_refresh = time.monotonic()
        for _ in range(MAX_OPERATIONS):
            if stop.is_set() or time.monotonic() > deadline:
                return
            self.me()
            if time.monotonic() - last_refresh > 1.5:
                self.refresh()
                last_refresh = time.monotonic()
            time.sleep(0.05)


def test_signing_keys_rotate_under_traffic_and_nobody_is_signed_out(topology: Topology, capsys):
    old_key = topology.settings["JWT_SECRET_KEYS"]
    new_key = uuid.uuid4().hex + uuid.uuid4().hex
    first, second = topology.servers
    users = [SignedIn(topology, f"127.0.0.{20 + n}") for n in range(3)]
    # a second device of the first user, idle through the whole rotation
    idle = topology.client("127.0.0.23")
    idle_login = topology.login(idle, users[0].email)
    assert {header_kid(u.first_access) for u in users} == {header_kid(idle_login["access_token"])} == {key_id(old_key)}

    stop = threading.Event()
    deadline = time.monotonic() + 90
    threads = [threading.Thread(target=u.run, args=(stop, deadline), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        # 1. the new key, verify-only, on every server (a reload, then a restart): tokens are still signed by old
        topology.update_settings(JWT_SECRET_KEYS=f"{old_key},{new_key}")
        first.reload()
        second.restart()
        time.sleep(1)
        assert all(kid == key_id(old_key) for u in users for kid in u.kids)
        # 2. the new key signs, on every server; the old one still verifies
        topology.update_settings(JWT_SECRET_KEYS=f"{new_key},{old_key}")
        first.reload()
        second.restart()
        time.sleep(2)  # at least one refresh of every client on the new key
    finally:
        stop.set()
        for thread in threads:
            thread.join(CLIENT_TIMEOUT * MAX_TRIES)
    assert not any(thread.is_alive() for thread in threads)

    statuses = [status for u in users for _, status in u.statuses]
    figures = {"requests": len(statuses), "ok": statuses.count(200), "401": statuses.count(401),
               "retried": sum(s in RETRYABLE or s == 0 for s in statuses),
               "refreshes": sum(op == "refresh" for u in users for op, _ in u.statuses)}
    report(capsys, "key rotation under traffic", figures)
    assert [error for u in users for error in u.errors] == []
    assert figures["401"] == 0 and figures["refreshes"] >= 6
    assert all(key_id(new_key) in u.kids for u in users)  # refreshed into the new key

    # the tokens from before the rotation still work, on both servers (nginx alternates)
    for user in users:
        for _ in range(4):
            response = user.session.get(topology.base_url + API + "/me", timeout=HTTP_TIMEOUT,
                                        headers={"Authorization": f"Bearer {user.first_access}"})
            assert response.status_code == 200, response.text
    # the idle device's refresh token, signed by the old key, rotates into one of the new key
    response = idle.post(topology.base_url + API + "/auth/refresh", timeout=HTTP_TIMEOUT,
                         headers={"X-CSRF-TOKEN": idle_login["csrf_token"]})
    assert response.status_code == 200, response.text
    assert header_kid(response.json()["access_token"]) == key_id(new_key)
    assert header_kid(idle.cookies.get("__Secure-refresh_token", path="/api/v1/auth")) == key_id(new_key)
    fresh = topology.login(topology.client("127.0.0.24"), users[1].email)
    assert header_kid(fresh["access_token"]) == key_id(new_key)


# --- (e) backup and restore ---------------------------------------------------------------------------------------


def test_a_backup_taken_under_writes_restores_exactly_what_was_acknowledged_before_it(topology: Topology, capsys):
    clients = [LoadClient(topology, f"127.0.0.{30 + n}", seed=100 + n, write_share=0.9) for n in range(2)]
    for client in clients:
        client.setup()
    dump = topology.tmp / "ledger.dump"
    with Load(clients, limit=60):
        time.sleep(2)
        dump_started = time.monotonic()
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump),
                        libpq_url(topology.database_url)], check=True, capture_output=True, timeout=60)
        dump_ended = time.monotonic()
        time.sleep(1.5)  # writes go on after the dump
    assert [e for c in clients for e in c.errors] == []

    url = recreate_database(RESTORE_DATABASE)
    restored_server = None
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(url), str(dump)],
                       check=True, capture_output=True, timeout=120)
        env_file = topology.tmp / "ledger-restore.env"
        write_env_file(env_file, {**topology.settings, "DATABASE_URL": url})
        from tests.support.gunicorn import free_port

        restored_server = AppServer("app-restored", free_port(), env_file, topology.tmp)
        restored_server.start()

        served: dict[int, str] = {}
        for client in clients:
            session = requests.Session()
            login = session.post(restored_server.base_url + API + "/auth/login", timeout=HTTP_TIMEOUT,
                                 json={"email": client.email, "password": PASSWORD})
            assert login.status_code == 200, login.text
            headers = {"Authorization": "Bearer " + login.json()["access_token"]}
            cursor = None
            for _ in range(100):  # pages of 100: bounded
                params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                page = session.get(restored_server.base_url + API + "/entries", params=params, headers=headers,
                                   timeout=HTTP_TIMEOUT)
                assert page.status_code == 200, page.text
                for item in page.json()["items"]:
                    assert item["id"] not in served
                    served[item["id"]] = item["memo"]
                cursor = page.json()["next_cursor"]
                if not cursor:
                    break
            assert not cursor
    finally:
        if restored_server is not None:
            restored_server.stop()
        drop_database(RESTORE_DATABASE)

    acked = {key: (entry_id, sent, at) for c in clients for key, (entry_id, sent, at) in c.acked.items()}
    before = {acked[key][0] for key in acked if acked[key][2] < dump_started}
    in_flight = {acked[key][0] for key in acked if acked[key][2] >= dump_started and acked[key][1] < dump_ended}
    after = {acked[key][0] for key in acked if acked[key][1] >= dump_ended}
    restored = set(served)
    figures = {"acknowledged_before_dump": len(before), "in_flight_during_dump": len(in_flight),
               "of_which_in_backup": len(restored & in_flight), "acknowledged_after_dump": len(after),
               "restored": len(restored), "dump_s": round(dump_ended - dump_started, 2)}
    report(capsys, "backup/restore drill", figures)
    assert before and after, figures
    # every entry acknowledged before the dump started is there, each once, as acknowledged
    assert before <= restored, sorted(before - restored)[:10]
    assert all(served[entry_id] == key for key, (entry_id, _, _) in acked.items() if entry_id in restored)
    # nothing else but what was being written while pg_dump took its snapshot: never a later or unknown entry
    assert restored - before <= in_flight, sorted(restored - before - in_flight)[:10]
