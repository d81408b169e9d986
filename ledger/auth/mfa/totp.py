"""RFC 6238 TOTP (pyotp): 30-second steps, 6 digits, SHA-1, one step of drift either way.

Constant work: every code is compared with the codes of all three steps (hmac.compare_digest, no early exit),
so a right code and a wrong one take the same time.
"""
from __future__ import annotations

import hmac

import pyotp

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, RFC 4226's recommendation


def step_at(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, unix_time: float) -> int | None:
    """The time step (now - 1 .. now + 1) whose code `code` is, else None. Replay is the caller's check."""
    current = step_at(unix_time)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at_step(secret, step).encode(), code.encode()) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=account,
                                                                                     issuer_name=issuer)
