"""POST /api/v1/auth/login: the token body, the refresh cookies, uniform failures, Argon2id."""
import json
import logging

import pytest
from argon2 import PasswordHasher

from ledger.auth import passwords
from ledger.logs import JsonFormatter
from tests.auth.helpers import COOKIE_PATH, LOGIN, claims_of, set_cookies
from tests.conftest import assert_problem


def post_login(client, email, password, **kwargs):
    return client.post(LOGIN, json={"email": email, "password": password}, **kwargs)


def test_login_answers_the_token_body(client, user, sql):
    response = post_login(client, user.email, user.password)

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "user", "csrf_token"}
    assert body["csrf_token"] == client.get_cookie("csrf_refresh_token").value
    assert body["token_type"] == "Bearer"
    assert type(body["expires_in"]) is int and body["expires_in"] == 900
    assert body["user"]["id"] == user.id and body["user"]["email"] == user.email
    assert "password_hash" not in body["user"]
    assert sql.count("sessions", "user_id = :u", u=user.id) == 1
    assert sql.count("refresh_tokens") == 1


def test_login_access_token_carries_the_contract_claims(client, user, sql):
    token = post_login(client, user.email, user.password).get_json()["access_token"]

    claims = claims_of(token)
    session_id = sql.scalar("SELECT id FROM sessions WHERE user_id = :u", u=user.id)
    assert claims["sub"] == str(user.id) and claims["type"] == "access"
    assert claims["ver"] == 0 and claims["sid"] == session_id
    assert claims["sn"] == sql.scalar("SELECT nonce FROM sessions WHERE id = :s", s=session_id)
    assert claims["iss"] == "ledger" and claims["aud"] == "ledger-api"
    assert {"jti", "iat", "nbf", "exp"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900


def test_login_email_is_case_insensitive(client, make_user):
    user = make_user(email="case@example.com")

    assert post_login(client, "  CASE@Example.com ", user.password).status_code == 200


def test_login_sets_the_refresh_cookies_in_cookie_mode(client, user, sql):
    response = post_login(client, user.email, user.password)

    cookies = set_cookies(response)
    refresh, csrf = cookies["refresh_token"], cookies["csrf_refresh_token"]
    assert refresh["httponly"] is True
    assert refresh["samesite"] == "Strict"
    assert refresh["path"] == COOKIE_PATH
    assert "expires" in refresh
    assert "httponly" not in csrf  # the SPA's JavaScript reads it
    assert csrf["samesite"] == "Strict" and csrf["path"] == "/"
    assert "secure" not in refresh  # the testing config sets COOKIE_SECURE false
    claims = claims_of(refresh["value"])
    assert claims["type"] == "refresh" and claims["csrf"] == csrf["value"]
    assert sql.scalar("SELECT jti FROM refresh_tokens") == claims["jti"]


def test_login_sets_secure_cookies_when_configured(make_app, user):
    secure = make_app(COOKIE_SECURE=True)

    cookies = set_cookies(post_login(secure.test_client(), user.email, user.password))

    assert cookies["refresh_token"]["secure"] is True
    assert cookies["csrf_refresh_token"]["secure"] is True


def test_login_in_body_mode_returns_the_refresh_token_and_no_cookie(body_client, user, sql):
    response = post_login(body_client, user.email, user.password)

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "user", "refresh_token"}
    claims = claims_of(body["refresh_token"])
    assert claims["type"] == "refresh"
    assert sql.scalar("SELECT jti FROM refresh_tokens") == claims["jti"]
    assert response.headers.getlist("Set-Cookie") == []


def _failure_body(response) -> dict:
    body = assert_problem(response, 401, "invalid_credentials")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ledger"'
    body.pop("request_id", None)
    return body


def test_login_failures_are_identical_for_wrong_password_unknown_email_and_inactive_user(client, make_user, app,
                                                                                          sql):
    from ledger.auth import users

    active = make_user()
    inactive = make_user()
    with app.app_context():
        users.set_active(users.find_user(inactive.email), False)

    wrong_password = _failure_body(post_login(client, active.email, "wrong password, quite long"))
    unknown_email = _failure_body(post_login(client, "nobody@example.com", active.password))
    inactive_user = _failure_body(post_login(client, inactive.email, inactive.password))

    assert wrong_password == unknown_email == inactive_user
    assert sql.count("sessions") == 0
    assert sql.count("refresh_tokens") == 0


def test_login_with_missing_fields_is_validation_error(client, sql):
    response = client.post(LOGIN, json={"email": "a@example.com"})

    assert "password" in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.count("sessions") == 0


def test_login_rehashes_when_the_argon2_parameters_change(make_app, app, user, sql):
    old_hash = sql.scalar("SELECT password_hash FROM users WHERE id = :u", u=user.id)
    time_cost = app.config["ARGON2_TIME_COST"]
    assert f",t={time_cost}," in old_hash
    stronger = make_app(ARGON2_TIME_COST=time_cost + 1)

    response = post_login(stronger.test_client(), user.email, user.password)

    assert response.status_code == 200
    new_hash = sql.scalar("SELECT password_hash FROM users WHERE id = :u", u=user.id)
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$") and f",t={time_cost + 1}," in new_hash
    assert PasswordHasher().verify(new_hash, user.password)


def test_login_keeps_the_hash_when_the_parameters_are_unchanged(client, user, sql):
    old_hash = sql.scalar("SELECT password_hash FROM users WHERE id = :u", u=user.id)

    post_login(client, user.email, user.password)

    assert sql.scalar("SELECT password_hash FROM users WHERE id = :u", u=user.id) == old_hash


class VerifySpy:
    """Wraps the Argon2 hasher and records every hash it is asked to verify against."""

    def __init__(self, monkeypatch):
        self.verified: list[str] = []
        real = passwords.hasher

        def spy():
            hasher = real()
            spy_self = self

            class Wrapped:
                def __getattr__(self, name):
                    return getattr(hasher, name)

                def verify(self, hash_, password):
                    spy_self.verified.append(hash_)
                    return hasher.verify(hash_, password)

            return Wrapped()

        monkeypatch.setattr(passwords, "hasher", spy)


def configured_prefix(app) -> str:
    cfg = app.config
    return f"$argon2id$v=19$m={cfg['ARGON2_MEMORY_COST']},t={cfg['ARGON2_TIME_COST']},p={cfg['ARGON2_PARALLELISM']}$"


def test_login_with_an_unknown_email_still_runs_one_argon2_verification(app, client, user, monkeypatch):
    spy = VerifySpy(monkeypatch)

    assert_problem(post_login(client, "nobody@example.com", user.password), 401, "invalid_credentials")

    assert len(spy.verified) == 1
    # Against a real hash of the configured parameters, so it costs what a real verification costs.
    assert spy.verified[0].startswith(configured_prefix(app))


def test_login_with_a_wrong_password_runs_one_argon2_verification(app, client, user, monkeypatch):
    spy = VerifySpy(monkeypatch)

    assert_problem(post_login(client, user.email, "a wrong password here"), 401, "invalid_credentials")

    assert len(spy.verified) == 1
    assert spy.verified[0].startswith(configured_prefix(app))


def test_login_of_an_inactive_user_runs_one_argon2_verification(client, make_user, app, monkeypatch):
    from ledger.auth import users

    inactive = make_user()
    with app.app_context():
        users.set_active(users.find_user(inactive.email), False)
    spy = VerifySpy(monkeypatch)

    assert_problem(post_login(client, inactive.email, inactive.password), 401, "invalid_credentials")

    assert len(spy.verified) == 1


def test_login_records_user_agent_and_address_in_the_session(client, user, sql):
    post_login(client, user.email, user.password, headers={"User-Agent": "LedgerTest/1.0"},
               environ_base={"REMOTE_ADDR": "203.0.113.7"})

    row = sql.rows("SELECT user_agent, ip FROM sessions WHERE user_id = :u", u=user.id)
    assert [tuple(r) for r in row] == [("LedgerTest/1.0", "203.0.113.7")]


class Recorder(logging.Handler):
    """Collects the formatted JSON lines of the `ledger` loggers (they do not propagate to pytest's caplog)."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines(app):
    recorder = Recorder()
    loggers = [logging.getLogger(name) for name in ("ledger.auth", "ledger.access")]
    for logger in loggers:
        logger.addHandler(recorder)
    yield recorder.lines
    for logger in loggers:
        logger.removeHandler(recorder)


def test_login_logs_are_json_with_request_id_and_no_secret(client, user, log_lines):
    failed = post_login(client, user.email, "the wrong password, long", headers={"X-Request-ID": "req-fail"})
    ok = post_login(client, user.email, user.password, headers={"X-Request-ID": "req-ok"})

    assert failed.status_code == 401 and ok.status_code == 200
    entries = [json.loads(line) for line in log_lines]
    events = {(entry.get("event"), entry.get("request_id")) for entry in entries}
    assert {("login_failed", "req-fail"), ("login_ok", "req-ok")} <= events
    text = "\n".join(log_lines)
    for secret in (user.password, "the wrong password, long", ok.get_json()["access_token"], "$argon2"):
        assert secret not in text
