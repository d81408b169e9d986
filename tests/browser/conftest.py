"""End-to-end tests of the web app: Playwright for Python drives Debian's chromium against a real gunicorn.

Every test runs against `gunicorn -w 2 wsgi:app` (tests.support.gunicorn) serving web/dist, with the cookie
transport, `COOKIE_SECURE=false` (plain http on 127.0.0.1), the rate limits off and short access tokens, on
SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL in a database of its own (`ledger_browser_<pid>` on
that server, created and dropped here; never the suite's `test` database).

Nothing is built or downloaded here: `make test` builds web/dist first, and the browser is Debian's
(`apt-get install chromium`). When either is missing the tests are skipped, and pytest's summary says so in one
line; with LEDGER_BROWSER_TESTS=required (CI) they fail instead. Settings (environment):

* LEDGER_BROWSER_TESTS: unset (skip when unavailable), `required` (fail when unavailable), `off` (always skip).
* LEDGER_BROWSER: the chromium binary, /usr/bin/chromium by default.
* WEB_DIST: the build to serve, <repo>/web/dist by default.

Fixtures, for the tests in this folder:

* `server`: the default server (ACCESS_TOKEN_TTL=5 s) of the current database; `make_server(**env)` another
  one on the same database with other settings (e.g. `ACCESS_TOKEN_TTL="2"`, `REFRESH_REUSE_GRACE_SECONDS="1"`),
  started once per session and settings. A server (`LedgerServer`) has `base_url`, `url(path)`, `api(...)`
  (requests), `register()`, `mark()` / `events(*names, since=mark)` (the JSON log's auth events: `refresh`,
  `refresh_grace`, `reuse_detected`, ...), `rotations(email)` and `refresh_tokens(email)` (the table).
* `browser` (package scope: stopped after this folder), `new_context(server=None, **kwargs)` (another
  device; English, the server as base_url; service workers blocked unless `service_workers="allow"`),
  `context`, `page`, `new_page(context=None)` (two pages of one context are two tabs).
* `console_errors`: every page of every context is watched; a console error or an uncaught exception fails
  the test after its body ran. `console_errors.allow(regex)` accepts an expected one. The browser's network
  message for a 401 from /api/ is allowed by default: an expired or revoked token answered by a refresh or a
  sign-out is the auth protocol at work (and a signed-out start-up refresh is how the SPA learns that nobody
  is signed in); `console_errors.allow_api_401 = False` counts them too (except the start-up refresh).
* `sign_up(page, email, password)`, `sign_in(page, email, password)`: through the forms of docs/UI.md.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import PASSWORD, PG_URL
from tests.support import gunicorn as launcher

ROOT = Path(__file__).resolve().parents[2]
MODE = os.environ.get("LEDGER_BROWSER_TESTS", "").strip().lower()
REQUIRED = MODE == "required"
CHROMIUM = os.environ.get("LEDGER_BROWSER", "/usr/bin/chromium")
DIST = Path(os.environ["WEB_DIST"]).resolve() if os.environ.get("WEB_DIST") else ROOT / "web" / "dist"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WORKERS = 2
ACCESS_TOKEN_TTL = 5  # seconds: expiry is reached by waiting a little, never by faking a clock
TIMEOUT_MS = 10_000  # Playwright's default for actions and expectations here
HTTP_TIMEOUT = 10
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# Chromium's own console message for a failed fetch: "Failed to load resource: the server responded with a
# status of 401 (UNAUTHORIZED)"; its location is the fetched URL.
NETWORK_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})")

_skipped: list[str] = []  # why the browser tests were skipped (one line in the terminal summary)


# --- availability: skip on a developer's machine, fail in CI ----------------------------------------------------


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser tests: {reason} (LEDGER_BROWSER_TESTS=required)", pytrace=False)
    if not _skipped:
        _skipped.append(reason)
    pytest.skip(f"browser tests: {reason}")


def _why_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if MODE in {"off", "0", "no", "false", "skip"}:
        return f"LEDGER_BROWSER_TESTS={MODE}"
    if not (DIST / "index.html").is_file():
        return f"{DIST / 'index.html'} is missing: run `make web` (make test does)"
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        return f"no chromium at {CHROMIUM}: `apt-get install chromium`, or set LEDGER_BROWSER"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright for Python is not installed ({error}): `make install-dev`"
    return None


_REASON = _why_unavailable()
if _REASON and not REQUIRED:
    # Not even collected: pytest's summary gets the one line of pytest_terminal_summary instead of a skip per test.
    collect_ignore_glob = ["test_*.py"]
    _skipped.append(_REASON)


@pytest.fixture(scope="session")
def _browser_tests_available() -> Path:
    """The build and the browser are there; returns the build's directory."""
    if _REASON:
        _unavailable(_REASON)
    return DIST


@pytest.fixture(autouse=True)
def _browser_test(_browser_tests_available):
    """Every test in this folder needs the browser and the build."""


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _skipped:
        terminalreporter.write_line(
            f"browser tests skipped: {_skipped[0]}; to run them: `apt-get install chromium` and `make test` "
            "(LEDGER_BROWSER_TESTS=required makes this a failure)", yellow=True, bold=True)


# --- the servers ------------------------------------------------------------------------------------------------------


def _fresh_postgres(url: str) -> Iterator[str]:
    """A database of this run's own next to the test database: created, and dropped afterwards."""
    import psycopg

    name = f"ledger_browser_{os.getpid()}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if parts.hostname in {"127.0.0.1", "localhost", "::1"}:  # runs killed before their cleanup
            for (stale,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'ledger_browser_%'"):
                pid = stale.rsplit("_", 1)[1]
                if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                    conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session", params=BACKENDS)
def browser_database(request, tmp_path_factory, _browser_tests_available) -> Iterator[str]:
    """The URL of an empty, migrated database (`flask db upgrade`), one per backend and session."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("browser-db") / "ledger.db")
        launcher.migrate(url)
        yield url
        return
    fresh = _fresh_postgres(PG_URL)
    url = next(fresh)
    launcher.migrate(url)
    yield url
    fresh.close()


class LedgerServer:
    """A running gunicorn (tests.support.gunicorn.Server) and what the tests read from it."""

    def __init__(self, server: launcher.Server, database_url: str) -> None:
        self.server = server
        self.base_url = server.base_url
        self.env = server.env
        self.database_url = database_url
        self._engine = None

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- the API, outside the browser
    def api(self, method: str, path: str, *, token: str | None = None, session: requests.Session | None = None,
            **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return (session or requests).request(method, self.base_url + path, headers=headers, timeout=HTTP_TIMEOUT,
                                             **kwargs)

    def register(self, email: str | None = None, password: str = PASSWORD) -> tuple[str, str]:
        """A new user through the API: (email, password)."""
        email = email or new_email()
        response = self.api("POST", "/api/v1/auth/register", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        return email, password

    # -- the JSON log (stdout and stderr of gunicorn): one object per line
    def mark(self) -> int:
        """The log's current length: events(since=mark) reads only what came after."""
        return self.server.log.stat().st_size

    def events(self, *names: str, since: int = 0, **fields) -> list[dict]:
        """Log entries whose `event` is one of `names` (all events when none) and whose fields match."""
        found = []
        with open(self.server.log, "rb") as log:
            log.seek(since)
            for line in log.read().decode(errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(entry, dict) or "event" not in entry:
                    continue
                if (not names or entry["event"] in names) and all(entry.get(k) == v for k, v in fields.items()):
                    found.append(entry)
        return found

    # -- the database the server uses
    def sql(self, statement: str, **params) -> list:
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        with self._engine.connect() as conn:
            return list(conn.execute(text(statement), params).all())

    def refresh_tokens(self, email: str) -> list:
        """Every stored refresh token of the user: (jti, session_id, used_at, replaced_by), oldest first."""
        return self.sql("SELECT r.jti, r.session_id, r.used_at, r.replaced_by FROM refresh_tokens r "
                        "JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id "
                        "WHERE u.email = :email ORDER BY r.issued_at, r.jti", email=email.lower())

    def rotations(self, email: str) -> int:
        """How many of the user's refresh tokens have been spent (rotated)."""
        return sum(1 for row in self.refresh_tokens(email) if row.used_at is not None)

    def log_tail(self, lines: int = 40) -> str:
        return self.server.log_tail(lines)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self.server.stop()


@pytest.fixture(scope="session")
def make_server(browser_database, tmp_path_factory) -> Iterator[Callable[..., LedgerServer]]:
    """make_server(**env) → a gunicorn -w 2 on this session's database with these settings (one per settings)."""
    servers: dict[tuple, LedgerServer] = {}
    logs = tmp_path_factory.mktemp("browser-servers")

    def start(**env: str) -> LedgerServer:
        settings = {
            "LEDGER_ENV": "development",  # cookie names without __Secure-: plain http in these tests
            "REFRESH_TOKEN_TRANSPORT": "cookie",
            "COOKIE_SECURE": "false",
            "RATELIMIT_ENABLED": "false",
            "ACCESS_TOKEN_TTL": str(ACCESS_TOKEN_TTL),
            "LOG_LEVEL": "INFO",  # the auth events
            "WEB_DIST": str(DIST),
            **{name: str(value) for name, value in env.items()},
        }
        key = tuple(sorted(settings.items()))
        if key not in servers:
            number = len(servers) + 1
            try:
                server = launcher.start(browser_database, env=settings, workers=WORKERS,
                                        log=logs / f"gunicorn-{number}.log")
            except launcher.GunicornError as error:
                pytest.fail(str(error), pytrace=False)
            servers[key] = LedgerServer(server, browser_database)
        return servers[key]

    yield start
    for server in servers.values():
        server.close()


@pytest.fixture
def server(make_server) -> LedgerServer:
    return make_server()


def new_email() -> str:
    return f"browser-{uuid.uuid4().hex[:12]}@example.com"


# --- the browser ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser(_browser_tests_available):
    """Chromium, for the tests of this folder: package scope, so that Playwright (one sync instance per thread)
    has stopped before tests elsewhere (tests/topology) start their own."""
    from playwright.sync_api import Error, sync_playwright

    manager = sync_playwright().start()
    try:
        try:
            browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            _unavailable(f"chromium at {CHROMIUM} does not start: {str(error).splitlines()[0]}")
        yield browser
        browser.close()
    finally:
        manager.stop()


class ConsoleErrors:
    """Console errors and uncaught exceptions of every watched page."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._allowed: list[re.Pattern] = []
        # A 401 from the API is the auth protocol at work (an expired or revoked token, answered by a refresh or
        # a sign-out), not a fault; the browser logs it as a console error all the same. False: count them too.
        self.allow_api_401 = True

    def allow(self, pattern: str) -> None:
        """Accept console errors whose text (or, for network errors, "<status> <url>") matches `pattern`."""
        self._allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))

    def _console(self, page, message) -> None:
        if message.type != "error":
            return
        text = message.text
        url = (message.location or {}).get("url", "")
        network = NETWORK_ERROR.match(text)
        if network:
            text = f"{network.group(1)} {url}"
            path = urlsplit(url).path
            if network.group(1) == "401" and (path == "/api/v1/auth/refresh"
                                              or (self.allow_api_401 and path.startswith("/api/"))):
                return  # e.g. a signed-out start-up (docs/SPA-AUTH.md): how the app learns nobody is signed in
        self.errors.append(f"{page.url}: {text}")

    def unexpected(self) -> list[str]:
        return [error for error in self.errors if not any(p.search(error) for p in self._allowed)]

    def check(self) -> None:
        unexpected = self.unexpected()
        if unexpected:
            pytest.fail("console errors:\n  " + "\n  ".join(unexpected), pytrace=False)


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that passed fails when a watched page logged an unexpected console error meanwhile."""
    result = yield
    collector = item.funcargs.get("console_errors") if hasattr(item, "funcargs") else None
    if isinstance(collector, ConsoleErrors):
        collector.check()
    return result


@pytest.fixture
def new_context(browser, server, console_errors):
    """new_context(server=None, **kwargs) → a browser context (a device): English, base_url = the server."""
    contexts = []

    def factory(on: LedgerServer | None = None, **kwargs):
        kwargs.setdefault("locale", "en-US")
        # The app's service worker (web/sw-src/sw.js) only in the tests that ask for it (test_offline.py):
        # elsewhere each test starts from the network, and page.route sees every request.
        kwargs.setdefault("service_workers", "block")
        context = browser.new_context(base_url=(on or server).base_url, **kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", console_errors.watch)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def new_page(context):
    """new_page(context=None) → a new tab of `context` (the test's context by default)."""
    return lambda other=None: (other or context).new_page()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(autouse=True)
def _expect_timeout():
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)


# --- the SPA's forms (docs/UI.md: controls by role and accessible name) -----------------------------------------


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form (page on /login) and wait until the signed-in shell shows."""
    from playwright.sync_api import expect

    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def sign_up(page, email: str, password: str = PASSWORD) -> None:
    """Create an account through /register, then sign in when the app asks for it: ends signed in."""
    from playwright.sync_api import expect

    page.goto("/register")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account", exact=True).click()
    signed_in = page.get_by_role("button", name="Sign out", exact=True)
    sign_in_button = page.get_by_role("button", name="Sign in", exact=True)
    expect(signed_in.or_(sign_in_button)).to_be_visible()
    if not signed_in.is_visible():
        sign_in(page, email, password)
