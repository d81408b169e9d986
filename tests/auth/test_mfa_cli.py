"""`flask users mfa-reset EMAIL` (issue 18)."""
from __future__ import annotations

import logging

from tests.auth.helpers import LOGIN, ME
from tests.auth.mfa_support import Clock, enrol
from tests.conftest import AuthActions


def test_mfa_reset_removes_every_factor_and_ends_every_session(client, runner, user, monkeypatch, sql, caplog):
    clock = Clock(monkeypatch)
    auth = AuthActions(client)
    auth.login(user)
    enrol(client, auth.headers, clock)
    sql.execute("INSERT INTO webauthn_credentials (user_id, credential_id, public_key, sign_count, transports, "
                "backup_eligible, backup_state, name, created_at) VALUES (:u, 'abc', 'def', 0, '', false, false, "
                "'key', CURRENT_TIMESTAMP)", u=user.id)
    version = sql.scalar("SELECT token_version FROM users WHERE id = :u", u=user.id)
    with caplog.at_level(logging.INFO, logger="ledger.auth"):
        result = runner.invoke(args=["users", "mfa-reset", user.email])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    assert any(getattr(r, "event", None) == "mfa_reset" and r.user_id == user.id for r in caplog.records)
    for table in ("user_mfa", "mfa_recovery_codes", "webauthn_credentials", "auth_challenges"):
        assert sql.count(table) == 0, table
    assert sql.scalar("SELECT token_version FROM users WHERE id = :u", u=user.id) == version + 1
    assert sql.count("sessions", "revoked_at IS NULL") == 0
    assert client.get(ME, headers=auth.headers).get_json()["code"] == "token_revoked"
    # the password alone signs in again
    assert "access_token" in client.post(LOGIN, json={"email": user.email, "password": user.password}).get_json()


def test_mfa_reset_of_an_unknown_email_fails_cleanly(runner):
    result = runner.invoke(args=["users", "mfa-reset", "nobody@example.com"])
    assert result.exit_code == 1
    assert "No user with email nobody@example.com" in result.output
