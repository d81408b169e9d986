"""TOTP: enrolment, the time window's edges, replay, drift, encryption at rest and key rotation (issue 18)."""
from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from ledger.auth.mfa import secrets_box, totp
from ledger.auth.mfa.models import RecoveryCode, UserMfa
from ledger.extensions import db
from tests.auth.mfa_support import MFA, STEP_UP, T0, TOTP, Clock, enrol

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("seconds, accepted", [(-31, False), (-30, True), (-1, True), (0, True), (29, True),
                                               (30, True), (59, True), (60, False), (3600, False)])
def test_a_code_is_accepted_one_step_either_side_and_no_further(seconds, accepted):
    """The code of the step starting at T0, checked `seconds` after T0: the window is [T0 - 30 s, T0 + 60 s),
    exact to the second at both edges."""
    code = pyotp.TOTP(SECRET).at(T0.timestamp())
    found = totp.matching_step(SECRET, code, T0.timestamp() + seconds)
    assert found == (totp.step_at(T0.timestamp()) if accepted else None)


def test_a_wrong_code_matches_no_step():
    window = {pyotp.TOTP(SECRET).at(T0.timestamp() + 30 * k) for k in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in window)
    assert totp.matching_step(SECRET, wrong, T0.timestamp()) is None


def test_enrolment_is_off_until_confirmed_then_the_secret_is_encrypted(client, logged_in, user, app, monkeypatch):
    clock = Clock(monkeypatch)
    begun = client.post(TOTP, headers=logged_in.headers)
    assert begun.status_code == 201
    body = begun.get_json()
    assert body["otpauth_uri"].startswith("otpauth://totp/") and f"secret={body['secret']}" in body["otpauth_uri"]
    assert body["qr_svg"].startswith("<svg")
    status = client.get(MFA, headers=logged_in.headers).get_json()
    assert status["totp_enabled"] is False
    with app.app_context():
        row = db.session.get(UserMfa, user.id)
        assert row.totp_confirmed_at is None
        assert body["secret"] not in row.totp_secret  # encrypted at rest
        assert secrets_box.decrypt(row.totp_secret) == body["secret"]
    # a wrong first code leaves it off
    wrong = client.post(TOTP + "/confirm", json={"code": "000000" if clock.code(body["secret"]) != "000000"
                                                  else "111111"}, headers=logged_in.headers)
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_code"
    confirmed = client.post(TOTP + "/confirm", json={"code": clock.code(body["secret"])}, headers=logged_in.headers)
    assert confirmed.status_code == 200
    codes = confirmed.get_json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = list(db.session.execute(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id))
                      .scalars())
        assert len(stored) == 10 and not set(codes) & set(stored)  # hashed
    status = client.get(MFA, headers=logged_in.headers).get_json()
    assert status["totp_enabled"] is True and status["recovery_codes_left"] == 10
    again = client.post(TOTP, headers=logged_in.headers)
    assert again.status_code in (403, 409)


def test_confirm_without_enrolment_is_409(client, logged_in):
    response = client.post(TOTP + "/confirm", json={"code": "123456"}, headers=logged_in.headers)
    assert response.status_code == 409 and response.get_json()["code"] == "mfa_not_enabled"


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456", ""])
def test_a_malformed_code_is_422_naming_the_field(client, logged_in, code):
    response = client.post(TOTP + "/confirm", json={"code": code}, headers=logged_in.headers)
    assert response.status_code == 422
    assert "code" in response.get_json()["errors"]


def test_a_code_is_accepted_once_replay_in_its_window_is_refused(client, logged_in, monkeypatch):
    clock = Clock(monkeypatch)
    secret, _ = enrol(client, logged_in.headers, clock)
    code = clock.code(secret)
    first = client.post(STEP_UP, json={"code": code}, headers=logged_in.headers)
    assert first.status_code == 200, first.get_json()
    clock.advance(10)  # same step, same window
    replay = client.post(STEP_UP, json={"code": code}, headers=logged_in.headers)
    assert replay.status_code == 401 and replay.get_json()["code"] == "invalid_code"
    clock.advance(25)  # next step: the old code is still inside the drift window, but older than the last used
    assert client.post(STEP_UP, json={"code": code}, headers=logged_in.headers).status_code == 401
    assert client.post(STEP_UP, json={"code": clock.code(secret)}, headers=logged_in.headers).status_code == 200


def test_drift_of_one_step_is_accepted_two_is_not(client, logged_in, monkeypatch):
    clock = Clock(monkeypatch)
    secret, _ = enrol(client, logged_in.headers, clock)
    clock.advance(300)
    assert client.post(STEP_UP, json={"code": clock.code(secret, -2)}, headers=logged_in.headers).status_code == 401
    assert client.post(STEP_UP, json={"code": clock.code(secret, +2)}, headers=logged_in.headers).status_code == 401
    assert client.post(STEP_UP, json={"code": clock.code(secret, -1)}, headers=logged_in.headers).status_code == 200
    # a phone one step ahead: its code is accepted, and then the current step's code is older → refused
    assert client.post(STEP_UP, json={"code": clock.code(secret, +1)}, headers=logged_in.headers).status_code == 200
    assert client.post(STEP_UP, json={"code": clock.code(secret)}, headers=logged_in.headers).status_code == 401


def test_encryption_keys_rotate_first_encrypts_all_decrypt(make_app, make_user, monkeypatch):
    old_key, new_key = "o" * 40, "n" * 40
    old_app = make_app(MFA_ENCRYPTION_KEYS=[old_key])
    person = make_user()
    with old_app.app_context():
        from ledger.auth.mfa import services

        Clock(monkeypatch)
        enrolment = services.begin_totp(person.id)
        token = db.session.get(UserMfa, person.id).totp_secret
    rotated_app = make_app(MFA_ENCRYPTION_KEYS=[new_key, old_key])
    with rotated_app.app_context():
        assert secrets_box.decrypt(token) == enrolment.secret  # the old key still decrypts
        assert secrets_box.decrypt(secrets_box.encrypt("x")) == "x"
        new_token = secrets_box.rotate(token)
    new_only = make_app(MFA_ENCRYPTION_KEYS=[new_key])
    with new_only.app_context():
        assert secrets_box.decrypt(new_token) == enrolment.secret  # re-encrypted with the first key
        with pytest.raises(RuntimeError):
            secrets_box.decrypt(token)


def test_a_used_code_re_encrypts_the_secret_with_the_first_key(make_app, make_user, monkeypatch):
    from ledger.auth.mfa import services

    old_key, new_key = "o" * 40, "n" * 40
    clock = Clock(monkeypatch)
    person = make_user()
    with make_app(MFA_ENCRYPTION_KEYS=[old_key]).app_context():
        secret = services.begin_totp(person.id).secret
    app = make_app(MFA_ENCRYPTION_KEYS=[new_key, old_key])
    with app.app_context():
        db.session.get(UserMfa, person.id)
        assert services._use_totp(person.id, clock.code(secret)) is False  # not confirmed yet: refused
        row = db.session.get(UserMfa, person.id)
        row.totp_confirmed_at = T0
        db.session.commit()
        assert services._use_totp(person.id, clock.code(secret)) is True
        db.session.commit()
        db.session.expire_all()
        token = db.session.get(UserMfa, person.id).totp_secret
    with make_app(MFA_ENCRYPTION_KEYS=[new_key]).app_context():
        assert secrets_box.decrypt(token) == secret
