"""The login with a second factor: a state machine that refuses every shortcut (issue 18)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ledger.auth.mfa.models import AuthChallenge, RecoveryCode, UserMfa
from ledger.auth.models import Session
from ledger.extensions import db
from tests.auth.helpers import LOGIN, ME, SESSIONS, bearer, set_cookies
from tests.auth.mfa_support import LOGIN_MFA, MFA, STEP_UP, TOTP, Clock, enrol
from tests.conftest import AuthActions


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def with_totp(client, user, clock):
    """The user with TOTP on (enrolled in a session that then logs out); answers (secret, recovery codes)."""
    auth = AuthActions(client)
    auth.login(user)
    secret, codes = enrol(client, auth.headers, clock)
    client.delete_cookie("refresh_token", path="/api/v1/auth")
    client.delete_cookie("csrf_refresh_token", path="/")
    return secret, codes


def _step_one(client, user) -> dict:
    response = client.post(LOGIN, json={"email": user.email, "password": user.password})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # no refresh cookie, no csrf cookie
    body = response.get_json()
    assert body["mfa_required"] is True and "access_token" not in body and "refresh_token" not in body
    return body


def test_a_user_without_a_factor_logs_in_as_before(client, user):
    response = client.post(LOGIN, json={"email": user.email, "password": user.password})
    assert response.status_code == 200
    assert set(response.get_json()) == {"access_token", "token_type", "expires_in", "user", "csrf_token"}
    assert "refresh_token" in set_cookies(response)


def test_step_one_gives_no_token_and_step_two_gives_the_normal_answer(client, user, with_totp, clock, sql):
    secret, _ = with_totp
    body = _step_one(client, user)
    assert body["methods"] == ["totp", "recovery"] and body["expires_in"] == 300
    assert sql.count("auth_challenges", "kind = 'login' AND used_at IS NULL") == 1
    # only the hash is stored
    assert sql.count("auth_challenges", "token_hash = :t", t=body["challenge"]) == 0
    sessions_before = sql.count("sessions")
    done = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": clock.code(secret)})
    assert done.status_code == 200, done.get_json()
    tokens = done.get_json()
    assert set(tokens) == {"access_token", "token_type", "expires_in", "user", "csrf_token"}
    assert {"refresh_token", "csrf_refresh_token"} <= set(set_cookies(done))
    assert sql.count("sessions") == sessions_before + 1
    me = client.get(ME, headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    listed = client.get(SESSIONS, headers=bearer(tokens["access_token"])).get_json()["items"]
    assert [s["factor"] for s in listed if s["current"]] == ["totp"]
    # the challenge is single use
    again = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": clock.code(secret, 1)})
    assert again.status_code == 401 and again.get_json()["code"] == "challenge_used"


def test_a_wrong_password_never_reaches_step_two(client, user, with_totp, sql):
    response = client.post(LOGIN, json={"email": user.email, "password": "wrong password 123"})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_credentials"
    assert sql.count("auth_challenges", "kind = 'login'") == 0


def test_an_unknown_challenge_is_invalid_challenge(client, with_totp):
    response = client.post(LOGIN_MFA, json={"challenge": "made-up", "code": "123456"})
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["code"] == "invalid_challenge"


def test_an_expired_challenge_is_challenge_expired(client, user, with_totp, clock):
    secret, _ = with_totp
    body = _step_one(client, user)
    clock.advance(301)
    response = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": clock.code(secret)})
    assert response.status_code == 401 and response.get_json()["code"] == "challenge_expired"


def test_five_wrong_codes_void_the_challenge(client, user, with_totp, clock, sql):
    secret, _ = with_totp
    body = _step_one(client, user)
    window = {clock.code(secret, k) for k in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in window)
    for _ in range(5):
        response = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": wrong})
        assert response.status_code == 401 and response.get_json()["code"] == "invalid_code"
    right = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": clock.code(secret)})
    assert right.status_code == 401 and right.get_json()["code"] == "challenge_used"
    assert sql.count("auth_challenges", "attempts = 5 AND used_at IS NOT NULL") == 1
    assert sql.scalar("SELECT failures FROM user_mfa") == 5


def test_the_account_limit_holds_across_challenges(make_app, make_user, monkeypatch):
    app = make_app(MFA_ACCOUNT_FAILURES=3)
    client = app.test_client()
    clock = Clock(monkeypatch)
    person = make_user()
    auth = AuthActions(client)
    auth.login(person)
    secret, _ = enrol(client, auth.headers, clock)
    window = {clock.code(secret, k) for k in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in window)
    for _ in range(3):
        challenge = _step_one(client, person)["challenge"]
        assert client.post(LOGIN_MFA, json={"challenge": challenge, "code": wrong}).status_code == 401
    challenge = _step_one(client, person)["challenge"]
    limited = client.post(LOGIN_MFA, json={"challenge": challenge, "code": clock.code(secret)})
    assert limited.status_code == 429 and limited.get_json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    clock.advance(901)
    challenge = _step_one(client, person)["challenge"]
    assert client.post(LOGIN_MFA, json={"challenge": challenge, "code": clock.code(secret)}).status_code == 200


def test_one_users_challenge_cannot_complete_anothers_login(client, make_user, clock, sql):
    alice, bob = make_user(), make_user()
    secrets = {}
    for person in (alice, bob):
        auth = AuthActions(client)
        auth.login(person)
        secrets[person.id] = enrol(client, auth.headers, clock)[0]
    alice_challenge = _step_one(client, alice)["challenge"]
    # Bob's code on Alice's challenge: refused, and nothing is opened for either
    sessions_before = sql.count("sessions")
    response = client.post(LOGIN_MFA, json={"challenge": alice_challenge, "code": clock.code(secrets[bob.id])})
    if clock.code(secrets[bob.id]) != clock.code(secrets[alice.id]):
        assert response.status_code == 401 and response.get_json()["code"] == "invalid_code"
        assert sql.count("sessions") == sessions_before
    # the session of a completed login is the challenge's user's
    done = client.post(LOGIN_MFA, json={"challenge": alice_challenge, "code": clock.code(secrets[alice.id])})
    assert done.status_code == 200 and done.get_json()["user"]["id"] == alice.id


def test_a_logout_everywhere_voids_a_pending_challenge(client, user, with_totp, clock, app):
    secret, _ = with_totp
    body = _step_one(client, user)
    with app.app_context():
        from ledger.auth import sessions

        sessions.logout(user.id)
    response = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": clock.code(secret)})
    assert response.status_code == 401 and response.get_json()["code"] == "challenge_expired"


def test_step_two_takes_exactly_one_factor(client, user, with_totp):
    body = _step_one(client, user)
    for payload in ({"challenge": body["challenge"]},
                    {"challenge": body["challenge"], "code": "123456", "recovery_code": "abcd"}):
        response = client.post(LOGIN_MFA, json=payload)
        assert response.status_code == 422 and response.get_json()["code"] == "validation_error"
        assert "code" in response.get_json()["errors"]


def test_a_recovery_code_works_once(client, user, with_totp, sql):
    _, codes = with_totp
    body = _step_one(client, user)
    done = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "recovery_code": codes[0].upper()})
    assert done.status_code == 200, done.get_json()
    listed = client.get(SESSIONS, headers=bearer(done.get_json()["access_token"])).get_json()["items"]
    assert [s["factor"] for s in listed if s["current"]] == ["recovery"]
    assert sql.count("mfa_recovery_codes", "used_at IS NOT NULL") == 1
    body = _step_one(client, user)
    again = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "recovery_code": codes[0]})
    assert again.status_code == 401 and again.get_json()["code"] == "invalid_code"
    other = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "recovery_code": codes[1]})
    assert other.status_code == 200


def test_regenerated_recovery_codes_replace_the_old_ones(client, user, clock):
    auth = AuthActions(client)
    auth.login(user)
    secret, old = enrol(client, auth.headers, clock)
    response = client.post(MFA + "/recovery-codes", headers=auth.headers)  # the confirm was the step-up
    assert response.status_code == 200
    new = response.get_json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    body = _step_one(client, user)
    assert client.post(LOGIN_MFA, json={"challenge": body["challenge"], "recovery_code": old[0]}).status_code == 401
    assert client.post(LOGIN_MFA, json={"challenge": body["challenge"], "recovery_code": new[0]}).status_code == 200


def test_step_up_is_needed_for_the_sensitive_changes(client, user, clock, app):
    auth = AuthActions(client)
    auth.login(user)
    secret, _ = enrol(client, auth.headers, clock)
    clock.advance(301)  # the enrolment's proof is too old now
    change = {"current_password": user.password, "new_password": "another long passphrase 77"}
    refused = client.post(ME + "/password", json=change, headers=auth.headers)
    assert refused.status_code == 403 and refused.get_json()["code"] == "step_up_required"
    assert client.delete(ME, json={"password": user.password}, headers=auth.headers).get_json()["code"] \
        == "step_up_required"
    ledger = client.get(ME, headers=auth.headers).get_json()
    deleting = client.delete(f"/api/v1/ledgers/{ledger['default_ledger_id']}", json={"name": "x"},
                             headers=auth.headers)
    assert deleting.status_code == 403 and deleting.get_json()["code"] == "step_up_required"
    assert client.post(MFA + "/recovery-codes", headers=auth.headers).get_json()["code"] == "step_up_required"
    off = client.delete(TOTP, json={"password": user.password}, headers=auth.headers)
    assert off.status_code == 403 and off.get_json()["code"] == "step_up_required"
    with app.app_context():
        assert db.session.get(UserMfa, user.id).totp_confirmed_at is not None
    proved = client.post(STEP_UP, json={"code": clock.code(secret)}, headers=auth.headers)
    assert proved.status_code == 200 and proved.get_json()["step_up_expires_at"]
    status = client.get(MFA, headers=auth.headers).get_json()
    assert status["step_up_expires_at"] is not None
    changed = client.post(ME + "/password", json=change, headers=auth.headers)
    assert changed.status_code == 200, changed.get_json()


def test_turning_totp_off_with_a_fresh_code(client, user, clock, sql):
    auth = AuthActions(client)
    auth.login(user)
    secret, _ = enrol(client, auth.headers, clock)
    clock.advance(600)
    off = client.delete(TOTP, json={"code": clock.code(secret)}, headers=auth.headers)
    assert off.status_code == 204
    assert sql.count("user_mfa", "totp_secret IS NULL AND totp_confirmed_at IS NULL") == 1
    assert sql.count("mfa_recovery_codes") == 0
    # back to a one-step login
    response = client.post(LOGIN, json={"email": user.email, "password": user.password})
    assert "access_token" in response.get_json()
    assert client.delete(TOTP, json={"code": "123456"}, headers=auth.headers).get_json()["code"] \
        == "mfa_not_enabled"


def test_turning_totp_off_with_the_password_after_a_step_up(client, user, clock):
    auth = AuthActions(client)
    auth.login(user)
    enrol(client, auth.headers, clock)
    wrong = client.delete(TOTP, json={"password": "not the password 1"}, headers=auth.headers)
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_credentials"
    off = client.delete(TOTP, json={"password": user.password}, headers=auth.headers)  # step-up from confirm
    assert off.status_code == 204


def test_a_session_opened_with_totp_has_a_fresh_step_up(client, user, with_totp, clock, app):
    secret, _ = with_totp
    body = _step_one(client, user)
    tokens = client.post(LOGIN_MFA, json={"challenge": body["challenge"], "code": clock.code(secret)}).get_json()
    with app.app_context():
        rows = db.session.execute(select(Session.factor, Session.step_up_at).order_by(Session.id)).all()
    assert rows[-1].factor == "totp" and rows[-1].step_up_at == clock.current
    change = {"current_password": user.password, "new_password": "another long passphrase 77"}
    assert client.post(ME + "/password", json=change, headers=bearer(tokens["access_token"])).status_code == 200


def test_challenges_are_swept_and_codes_deleted_with_the_user(client, user, with_totp, clock, app, sql):
    _step_one(client, user)
    clock.advance(7200)
    _step_one(client, user)
    assert sql.count("auth_challenges") == 1
    with app.app_context():
        from ledger.auth import users

        users.delete_user(users.find_user(user.email))
        assert db.session.execute(select(RecoveryCode)).first() is None
        assert db.session.execute(select(AuthChallenge)).first() is None


def test_timing_work_is_the_same_for_right_and_wrong_codes(app, user, monkeypatch, clock):
    """Both run the three comparisons of the window (no early exit): counted, not timed."""
    import hmac

    from ledger.auth.mfa import totp

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(totp.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    secret = totp.new_secret()
    totp.matching_step(secret, clock.code(secret), clock.current.timestamp())
    right = len(calls)
    calls.clear()
    totp.matching_step(secret, "000000", clock.current.timestamp())
    assert right == len(calls) == 3
    _ = timedelta
