"""Response headers on every kind of response, the production cookies, and CORS (issue 4, item 6)."""
from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from config import ProductionConfig
from ledger import create_app
from ledger.extensions import db
from tests.auth.helpers import set_cookies
from tests.conftest import PASSWORD, AuthActions, assert_problem

API = "/api/v1"
ALLOWED = "https://app.example.com"  # the testing config's CORS_ORIGINS
DISALLOWED = ["https://evil.example.com", "null", "https://app.example.com.evil.com", "http://app.example.com",
              "https://evil.app.example.com", "https://app.example.com:8443"]
COOKIE_PATH = "/api/v1/auth"


def _login(client, user):
    return client.post(f"{API}/auth/login", json={"email": user.email, "password": user.password})


# name → (request, expected status); each gets (client, logged-in AuthActions, user).
RESPONSES: dict[str, tuple[Callable, int]] = {
    "healthz": (lambda c, a, u: c.get("/healthz"), 200),
    "readyz": (lambda c, a, u: c.get("/readyz"), 200),
    "openapi": (lambda c, a, u: c.get("/openapi.json"), 200),
    "head-healthz": (lambda c, a, u: c.head("/healthz"), 200),
    "currencies": (lambda c, a, u: c.get(f"{API}/currencies"), 200),
    "me": (lambda c, a, u: c.get(f"{API}/me", headers=a.headers), 200),
    "entries": (lambda c, a, u: c.get(f"{API}/entries", headers=a.headers), 200),
    "export-csv": (lambda c, a, u: c.get(f"{API}/entries/export.csv", headers=a.headers), 200),
    "login": (lambda c, a, u: _login(c, u), 200),
    "register": (lambda c, a, u: c.post(f"{API}/auth/register",
                                        json={"email": "new@example.com", "password": PASSWORD}), 201),
    "logout": (lambda c, a, u: c.post(f"{API}/auth/logout", headers=a.headers), 204),
    "preflight": (lambda c, a, u: c.options(f"{API}/entries", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST"}), 200),
    "unknown-route": (lambda c, a, u: c.get(f"{API}/nothing-here"), 404),
    "unknown-route-outside-api": (lambda c, a, u: c.get("/favicon.ico"), 404),
    "wrong-method": (lambda c, a, u: c.delete(f"{API}/currencies"), 405),
    "no-token": (lambda c, a, u: c.get(f"{API}/me"), 401),
    "bad-token": (lambda c, a, u: c.get(f"{API}/me", headers={"Authorization": "Bearer x.y.z"}), 401),
    "bad-login": (lambda c, a, u: c.post(f"{API}/auth/login", json={"email": u.email, "password": "wrong" * 3}),
                  401),
    "invalid-json": (lambda c, a, u: c.post(f"{API}/accounts", data=b"{", content_type="application/json",
                                            headers=a.headers), 400),
    "too-large": (lambda c, a, u: c.post(f"{API}/accounts", data=json.dumps({"name": "a" * 1048576}),
                                         content_type="application/json", headers=a.headers), 413),
    "wrong-media": (lambda c, a, u: c.post(f"{API}/accounts", data="name=x", content_type="text/plain",
                                           headers=a.headers), 415),
    "validation": (lambda c, a, u: c.post(f"{API}/accounts", json={"name": 1}, headers=a.headers), 422),
    "not-found": (lambda c, a, u: c.get(f"{API}/entries/999999", headers=a.headers), 404),
}


@pytest.fixture
def respond(client, logged_in, user):
    def send(name: str):
        request, status = RESPONSES[name]
        response = request(client, logged_in, user)
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        return response

    return send


@pytest.mark.parametrize("name", RESPONSES)
def test_every_response_has_nosniff(respond, name):
    assert respond(name).headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", RESPONSES)
def test_every_response_has_no_referrer(respond, name):
    assert respond(name).headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("name", RESPONSES)
def test_every_response_has_a_restrictive_content_security_policy(respond, name):
    policy = respond(name).headers["Content-Security-Policy"]

    directives = {d.strip().split()[0]: d.strip().split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not any(source in policy for source in ("*", "unsafe-inline", "unsafe-eval", "data:"))


def test_an_unexpected_500_has_the_security_headers_too(make_app, app):
    fresh = make_app(TESTING=False)  # routes can only be added to an app that has not served requests

    @fresh.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/boom")

    assert_problem(response, 500, "internal_error")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


# --- Cache-Control on auth responses ---------------------------------------------------------------------------


def _refresh(c, a, u):
    return c.post(f"{API}/auth/refresh", headers={"X-CSRF-TOKEN": a.csrf() or ""})


AUTH_RESPONSES: dict[str, tuple[Callable, int]] = {
    "register": RESPONSES["register"],
    "register-taken": (lambda c, a, u: c.post(f"{API}/auth/register", json={"email": u.email, "password": PASSWORD}),
                       409),
    "register-invalid": (lambda c, a, u: c.post(f"{API}/auth/register", json={"email": "x"}), 422),
    "login": RESPONSES["login"],
    "login-failed": RESPONSES["bad-login"],
    "refresh": (_refresh, 200),
    "refresh-csrf-failed": (lambda c, a, u: c.post(f"{API}/auth/refresh", headers={"X-CSRF-TOKEN": "wrong"}), 401),
    "logout": RESPONSES["logout"],
    "sessions": (lambda c, a, u: c.get(f"{API}/auth/sessions", headers=a.headers), 200),
    "end-session": (lambda c, a, u: c.delete(f"{API}/auth/sessions/current", headers=a.headers), 204),
    "me": RESPONSES["me"],
    "me-patch": (lambda c, a, u: c.patch(f"{API}/me", json={"display_name": "X"}, headers=a.headers), 200),
    "me-password": (lambda c, a, u: c.post(f"{API}/me/password", headers=a.headers,
                                           json={"current_password": PASSWORD, "new_password": "a new passphrase 7"}),
                    200),
    "me-password-wrong": (lambda c, a, u: c.post(f"{API}/me/password", headers=a.headers,
                                                 json={"current_password": "wrong" * 3, "new_password": "x" * 12}),
                          401),
    "me-delete": (lambda c, a, u: c.delete(f"{API}/me", json={"password": PASSWORD}, headers=a.headers), 204),
    "me-no-token": RESPONSES["no-token"],
}


@pytest.mark.parametrize("name", AUTH_RESPONSES)
def test_every_auth_response_is_not_stored(client, logged_in, user, name):
    request, status = AUTH_RESPONSES[name]

    response = request(client, logged_in, user)

    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"


# --- HSTS ------------------------------------------------------------------------------------------------------

HSTS_RESPONSES = ["healthz", "login", "me", "unknown-route", "no-token", "validation"]


@pytest.mark.parametrize("name", HSTS_RESPONSES)
def test_hsts_is_on_every_response_when_configured(make_app, app, user, name):
    hsts = make_app(HSTS_SECONDS=31536000)
    client = hsts.test_client()
    auth = AuthActions(client)
    auth.login(user)
    request, status = RESPONSES[name]

    response = request(client, auth, user)

    assert response.status_code == status
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("name", HSTS_RESPONSES)
def test_no_hsts_when_not_configured(respond, name):
    assert "Strict-Transport-Security" not in respond(name).headers


# --- the production config's cookies ---------------------------------------------------------------------------


@pytest.fixture
def production(app, database_url, monkeypatch):
    """An app built from ProductionConfig (its secrets from the environment), on the test database.
    `app` comes first so that its teardown empties the tables this app writes to."""
    monkeypatch.setenv("SECRET_KEY", "production-secret-key-for-this-test-only-0123456789")
    monkeypatch.setenv("JWT_SECRET_KEY", "production-jwt-key-for-this-test-only-abcdefghijklmn")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    for name in ("COOKIE_SECURE", "REFRESH_TOKEN_TRANSPORT", "CORS_ORIGINS", "HSTS_SECONDS", "RATELIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    production_app = create_app(ProductionConfig())
    yield production_app
    with production_app.app_context():
        db.engine.dispose()


class HttpsClient:
    """The production app's test client, as a browser on https://ledger.example.com would use it."""

    HOST = "ledger.example.com"

    def __init__(self, client):
        self.client = client

    def post(self, path: str, **kwargs):
        return self.client.post(path, base_url=f"https://{self.HOST}", **kwargs)

    def get_cookie(self, name: str, path: str = "/"):
        return self.client.get_cookie(name, domain=self.HOST, path=path)


@pytest.fixture
def https_client(production) -> HttpsClient:
    return HttpsClient(production.test_client())


def test_production_login_sets_a_secure_httponly_strict_refresh_cookie_for_the_auth_path(https_client, user):
    response = _login(https_client, user)

    assert response.status_code == 200
    cookies = set_cookies(response)
    assert "refresh_token" not in cookies
    refresh = cookies["__Secure-refresh_token"]
    assert refresh["secure"] is True
    assert refresh["httponly"] is True
    assert refresh["samesite"] == "Strict"
    assert refresh["path"] == COOKIE_PATH
    assert "refresh_token" not in response.get_json()


def test_production_login_sets_a_secure_csrf_cookie_that_javascript_can_read(https_client, user):
    response = _login(https_client, user)

    cookies = set_cookies(response)
    assert "csrf_refresh_token" not in cookies
    csrf = cookies["__Secure-csrf_refresh_token"]
    assert csrf["secure"] is True
    assert "httponly" not in csrf
    assert csrf["samesite"] == "Strict" and csrf["path"] == "/"


def test_production_refresh_reads_and_rotates_the_secure_cookies(https_client, user, sql):
    _login(https_client, user)
    csrf = https_client.get_cookie("__Secure-csrf_refresh_token").value

    response = https_client.post(f"{API}/auth/refresh", headers={"X-CSRF-TOKEN": csrf})

    assert response.status_code == 200, response.get_json()
    cookies = set_cookies(response)
    assert cookies["__Secure-refresh_token"]["secure"] is True and cookies["__Secure-refresh_token"]["httponly"]
    assert cookies["__Secure-csrf_refresh_token"]["value"] != csrf
    assert sql.count("refresh_tokens") == 2


def test_production_logout_clears_the_secure_cookies_with_the_secure_flag(https_client, user):
    # A browser ignores a __Secure- cookie (even one that deletes) that lacks the Secure attribute.
    token = _login(https_client, user).get_json()["access_token"]

    response = https_client.post(f"{API}/auth/logout", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 204
    cookies = set_cookies(response)
    for name, path in (("__Secure-refresh_token", COOKIE_PATH), ("__Secure-csrf_refresh_token", "/")):
        assert cookies[name]["value"] == "" and cookies[name]["max-age"] == "0"
        assert cookies[name]["secure"] is True and cookies[name]["path"] == path


# --- CORS ------------------------------------------------------------------------------------------------------


def _preflight(client, origin: str, method: str = "POST"):
    return client.options(f"{API}/entries", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})


def test_a_preflight_from_an_allowed_origin_allows_credentials(client):
    response = _preflight(client, ALLOWED)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed_headers = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed_headers


@pytest.mark.parametrize("name", ["me", "currencies", "no-token", "validation"])
def test_a_request_from_an_allowed_origin_gets_the_cors_headers(client, logged_in, user, name):
    request, status = RESPONSES[name]
    client.environ_base["HTTP_ORIGIN"] = ALLOWED

    response = request(client, logged_in, user)

    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_an_allowed_origin_can_read_the_etag(client, logged_in, make_entry, user, sql):
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=user.ledger_id)
    entry = make_entry(user, account_id=cash, category_id=sql.scalar(
        "SELECT id FROM categories WHERE ledger_id = :u AND kind = 'expense' ORDER BY id", u=user.ledger_id))

    response = client.get(f"{API}/entries/{entry}", headers={**logged_in.headers, "Origin": ALLOWED})

    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert response.headers["ETag"] and "etag" in exposed


@pytest.mark.parametrize("origin", DISALLOWED)
def test_a_preflight_from_a_disallowed_origin_gets_no_cors_headers(client, origin):
    response = _preflight(client, origin)

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("origin", DISALLOWED)
def test_a_request_from_a_disallowed_origin_gets_no_cors_headers(client, logged_in, origin):
    response = client.get(f"{API}/me", headers={**logged_in.headers, "Origin": origin})

    assert response.status_code == 200  # CORS is the browser's guard; the server just does not allow reading
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_no_origin_is_allowed_when_cors_origins_is_empty(make_app, app):
    closed = make_app(CORS_ORIGINS=[])

    response = _preflight(closed.test_client(), ALLOWED)

    assert "Access-Control-Allow-Origin" not in response.headers
