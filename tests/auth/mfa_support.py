"""Helpers of the second-factor tests: a frozen clock, TOTP codes, enrolment through the API."""
from __future__ import annotations

from datetime import UTC, datetime

import pyotp

from ledger.auth.mfa import services as mfa_services

MFA = "/api/v1/auth/mfa"
TOTP = "/api/v1/auth/mfa/totp"
LOGIN_MFA = "/api/v1/auth/login/mfa"
STEP_UP = "/api/v1/auth/step-up"
T0 = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)  # a step boundary: 1796385600 is a multiple of 30


class Clock:
    """Freezes ledger.auth.mfa.services.now() (TOTP steps, challenge expiry, step-up age)."""

    def __init__(self, monkeypatch, start: datetime = T0):
        self.current = start
        monkeypatch.setattr(mfa_services, "now", lambda: self.current)

    def set(self, when: datetime) -> None:
        self.current = when

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.current = self.current + timedelta(seconds=seconds)

    def code(self, secret: str, offset_steps: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.current.timestamp() + 30 * offset_steps)


def enrol(client, headers, clock: Clock) -> tuple[str, list[str]]:
    """Turn TOTP on through the API; answers the secret and the recovery codes."""
    begun = client.post(TOTP, headers=headers)
    assert begun.status_code == 201, begun.get_json()
    secret = begun.get_json()["secret"]
    confirmed = client.post(TOTP + "/confirm", json={"code": clock.code(secret)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.get_json()
    clock.advance(30)  # the confirming code's step is used; the next login needs the next step
    return secret, confirmed.get_json()["recovery_codes"]
