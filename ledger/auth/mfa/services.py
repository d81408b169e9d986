"""The second factor's rules: TOTP enrolment and use, recovery codes, the login challenge, step-up, and the
admin reset. Passkeys are in ledger.auth.mfa.passkeys; both end here for the login and step-up bookkeeping."""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select, update

from ledger.auth.issuing import TokenPair
from ledger.auth.mfa import secrets_box, totp
from ledger.auth.mfa.models import AuthChallenge, RecoveryCode, UserMfa, WebauthnCredential
from ledger.auth.models import Session, User
from ledger.auth.revocation import commit_user_change, revoke_all_tokens
from ledger.database import rowcount, utcnow
from ledger.errors import (
    ApiError,
    ChallengeExpired,
    ChallengeUsed,
    InvalidChallenge,
    InvalidCode,
    InvalidCredentials,
    StepUpRequired,
)
from ledger.extensions import db

events = logging.getLogger("ledger.auth")

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed from paper
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 4, 4  # 16 characters of 31: 79 bits


class MfaAlreadyEnabled(ApiError):
    status, code, detail = 409, "mfa_already_enabled", "TOTP is already on; turn it off first."


class MfaNotEnabled(ApiError):
    status, code, detail = 409, "mfa_not_enabled", "No such second factor is set up."


class TooManyFailures(ApiError):
    status, code, detail = 429, "rate_limited", "Too many wrong codes for this account; try again later."


def now() -> datetime:
    """The clock of this module (tests freeze it)."""
    return utcnow()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- what a user has ------------------------------------------------------------------------------------------

def login_methods(user_id: int) -> list[str]:
    """The second factors the user can use to finish a login (empty: none is on), in one statement."""
    totp_on = exists().where(UserMfa.user_id == user_id, UserMfa.totp_confirmed_at.is_not(None))
    codes = exists().where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    keys = exists().where(WebauthnCredential.user_id == user_id)
    row = db.session.execute(select(totp_on, codes, keys)).one()
    methods = [name for name, on in zip(("totp", "recovery", "passkey"), row, strict=True) if on]
    return methods if "totp" in methods or "passkey" in methods else []


def _mfa_row(user_id: int) -> UserMfa:
    row = db.session.get(UserMfa, user_id)
    if row is None:
        row = UserMfa(user_id=user_id, created_at=now())
        db.session.add(row)
        db.session.flush()
    return row


def status(user_id: int) -> dict:
    row = db.session.get(UserMfa, user_id)
    left = db.session.execute(select(func.count()).where(RecoveryCode.user_id == user_id,
                                                         RecoveryCode.used_at.is_(None))).scalar_one()
    passkeys = db.session.execute(select(func.count()).where(WebauthnCredential.user_id == user_id)).scalar_one()
    return {"totp_enabled": bool(row and row.totp_confirmed_at),
            "totp_confirmed_at": row.totp_confirmed_at if row else None,
            "recovery_codes_left": left, "passkeys": passkeys}


# -- step-up ----------------------------------------------------------------------------------------------------

def require_step_up(user_id: int, session_id: int) -> None:
    """403 step_up_required unless no second factor is on or this session proved one within
    MFA_STEP_UP_MAX_AGE: one statement, only on the few routes that need it."""
    totp_on = exists().where(UserMfa.user_id == user_id, UserMfa.totp_confirmed_at.is_not(None))
    keys = exists().where(WebauthnCredential.user_id == user_id)
    row = db.session.execute(select(Session.step_up_at, totp_on, keys).where(Session.id == session_id)).one()
    step_up_at, has_totp, has_keys = row
    if not (has_totp or has_keys):
        return
    max_age = timedelta(seconds=current_app.config["MFA_STEP_UP_MAX_AGE"])
    if step_up_at is None or step_up_at + max_age < now():
        raise StepUpRequired()


def record_step_up(session_id: int, when: datetime) -> None:
    db.session.execute(update(Session).where(Session.id == session_id).values(step_up_at=when))


# -- the per-account limit --------------------------------------------------------------------------------------

def _check_account_limit(user_id: int) -> None:
    row = db.session.get(UserMfa, user_id)
    if row is None or row.failures_since is None:
        return
    cfg = current_app.config
    window_end = row.failures_since + timedelta(seconds=cfg["MFA_ACCOUNT_WINDOW"])
    if row.failures >= cfg["MFA_ACCOUNT_FAILURES"] and window_end > now():
        retry = max(1, int((window_end - now()).total_seconds()))
        raise TooManyFailures(headers={"Retry-After": str(retry)})


def _count_failure(user_id: int) -> None:
    row = _mfa_row(user_id)
    window = timedelta(seconds=current_app.config["MFA_ACCOUNT_WINDOW"])
    if row.failures_since is None or row.failures_since + window <= now():
        row.failures, row.failures_since = 1, now()
    else:
        row.failures += 1


# -- checking a code --------------------------------------------------------------------------------------------

def _use_totp(user_id: int, code: str) -> bool:
    """Whether `code` is the user's current TOTP code, not used before; marks its step used. Constant work:
    a user without TOTP still gets a secret decrypted and three comparisons."""
    row = db.session.get(UserMfa, user_id)
    confirmed = row is not None and row.totp_secret is not None and row.totp_confirmed_at is not None
    secret = secrets_box.decrypt(row.totp_secret) if confirmed and row and row.totp_secret else _DUMMY_SECRET
    step = totp.matching_step(secret, code, now().timestamp())
    if not confirmed or step is None or row is None:
        return False
    # Atomic: two requests with the same code cannot both win; an older step than the last used is refused.
    won = rowcount(db.session.execute(
        update(UserMfa).where(UserMfa.user_id == user_id,
                              or_(UserMfa.totp_last_step.is_(None), UserMfa.totp_last_step < step))
        .values(totp_last_step=step, totp_secret=secrets_box.rotate(row.totp_secret or ""))
    )) == 1
    return won


_DUMMY_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch in _RECOVERY_ALPHABET)


def _use_recovery_code(user_id: int, code: str) -> bool:
    """Whether `code` is one of the user's unused recovery codes; marks it used (always one hash, one update)."""
    digest = token_hash(normalize_recovery_code(code))
    return rowcount(db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == digest,
                                   RecoveryCode.used_at.is_(None)).values(used_at=now())
    )) == 1


def check_code(user_id: int, code: str | None, recovery_code: str | None) -> str:
    """The factor ("totp" or "recovery") that one of the codes proves; else the failure is counted and
    committed, and 401 invalid_code. The per-account limit is checked first (429)."""
    _check_account_limit(user_id)
    if code is not None:
        ok, factor = _use_totp(user_id, code), "totp"
    else:
        ok, factor = _use_recovery_code(user_id, recovery_code or ""), "recovery"
    if not ok:
        db.session.rollback()
        _count_failure(user_id)
        db.session.commit()
        events.info("second factor refused", extra={"event": "mfa_failed", "user_id": user_id, "factor": factor})
        raise InvalidCode()
    row = db.session.get(UserMfa, user_id)
    if row is not None:
        row.failures, row.failures_since = 0, None
    return factor


# -- TOTP enrolment ---------------------------------------------------------------------------------------------

@dataclass
class Enrolment:
    secret: str
    uri: str


def begin_totp(user_id: int) -> Enrolment:
    """A new pending secret (replacing a pending one); 409 when TOTP is on."""
    user = db.session.get_one(User, user_id)
    row = _mfa_row(user_id)
    if row.totp_confirmed_at is not None:
        raise MfaAlreadyEnabled()
    secret = totp.new_secret()
    row.totp_secret, row.totp_last_step = secrets_box.encrypt(secret), None
    db.session.commit()
    events.info("totp enrolment started", extra={"event": "mfa_totp_begin", "user_id": user_id})
    return Enrolment(secret, totp.provisioning_uri(secret, user.email, current_app.config["WEBAUTHN_RP_NAME"]))


def _new_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH))
        codes.append("-".join(raw[i:i + RECOVERY_GROUP_LENGTH] for i in range(0, len(raw), RECOVERY_GROUP_LENGTH)))
        db.session.add(RecoveryCode(user_id=user_id, code_hash=token_hash(raw), created_at=now()))
    return codes


def confirm_totp(user_id: int, session_id: int, code: str) -> list[str]:
    """Turn TOTP on with its first code; the answer holds the 10 recovery codes (shown once)."""
    row = db.session.get(UserMfa, user_id)
    if row is None or row.totp_secret is None:
        raise MfaNotEnabled("No TOTP enrolment is pending: start one first.")
    if row.totp_confirmed_at is not None:
        raise MfaAlreadyEnabled()
    _check_account_limit(user_id)
    step = totp.matching_step(secrets_box.decrypt(row.totp_secret), code, now().timestamp())
    if step is None:
        _count_failure(user_id)
        db.session.commit()
        raise InvalidCode()
    row.totp_confirmed_at, row.totp_last_step, row.failures, row.failures_since = now(), step, 0, None
    codes = _new_recovery_codes(user_id)
    record_step_up(session_id, now())
    db.session.commit()
    events.info("totp enabled", extra={"event": "mfa_totp_enabled", "user_id": user_id})
    return codes


def regenerate_recovery_codes(user_id: int, session_id: int) -> list[str]:
    if not login_methods(user_id):
        raise MfaNotEnabled("Recovery codes come with a second factor: turn one on first.")
    require_step_up(user_id, session_id)
    codes = _new_recovery_codes(user_id)
    db.session.commit()
    events.info("recovery codes regenerated", extra={"event": "mfa_recovery_regenerated", "user_id": user_id})
    return codes


def disable_totp(user_id: int, session_id: int, code: str | None, password: str | None) -> None:
    """Turn TOTP off: with a fresh code (which is itself the step-up), or with the password and a recent step-up."""
    from ledger.auth import passwords

    row = db.session.get(UserMfa, user_id)
    if row is None or row.totp_confirmed_at is None:
        raise MfaNotEnabled("TOTP is not on.")
    if code is not None:
        check_code(user_id, code, None)
    else:
        user = db.session.get_one(User, user_id)
        if not passwords.verify_password(user.password_hash, password or ""):
            raise InvalidCredentials("The password is wrong.")
        require_step_up(user_id, session_id)
    row.totp_secret = row.totp_confirmed_at = row.totp_last_step = None
    if not db.session.execute(select(exists().where(WebauthnCredential.user_id == user_id))).scalar():
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.session.commit()
    events.info("totp disabled", extra={"event": "mfa_totp_disabled", "user_id": user_id})


# -- the login challenge ----------------------------------------------------------------------------------------

def new_challenge(kind: str, *, user_id: int | None = None, session_id: int | None = None,
                  token_version: int | None = None, webauthn_challenge: str | None = None,
                  ttl: int | None = None) -> str:
    """Store a challenge (its hash) and answer its token; the caller commits. Expired ones are swept here."""
    when = now()
    db.session.execute(delete(AuthChallenge).where(AuthChallenge.expires_at < when - timedelta(hours=1)))
    token = secrets.token_urlsafe(32)
    db.session.add(AuthChallenge(token_hash=token_hash(token), kind=kind, user_id=user_id, session_id=session_id,
                                 token_version=token_version, webauthn_challenge=webauthn_challenge,
                                 created_at=when, expires_at=when + timedelta(
                                     seconds=ttl or current_app.config["MFA_CHALLENGE_TTL"])))
    return token


def open_challenge(token: str, kind: str, *, session_id: int | None = None) -> AuthChallenge:
    """The live challenge of that token and kind, one attempt counted (atomically), or a clear 401."""
    row = db.session.execute(select(AuthChallenge).where(AuthChallenge.token_hash == token_hash(token),
                                                         AuthChallenge.kind == kind)).scalar_one_or_none()
    if row is None or (session_id is not None and row.session_id != session_id):
        raise InvalidChallenge()
    if row.used_at is not None:
        raise ChallengeUsed()
    if row.expires_at <= now():
        raise ChallengeExpired()
    attempts = current_app.config["MFA_CHALLENGE_ATTEMPTS"]
    counted = rowcount(db.session.execute(
        update(AuthChallenge).where(AuthChallenge.id == row.id, AuthChallenge.used_at.is_(None),
                                    AuthChallenge.attempts < attempts)
        .values(attempts=AuthChallenge.attempts + 1)))
    if counted != 1:
        db.session.rollback()
        raise ChallengeUsed()
    db.session.commit()  # the attempt counts whatever happens next
    db.session.refresh(row)
    return row


def close_challenge(row: AuthChallenge) -> None:
    """Mark it used (single use, atomically); a concurrent use of the same challenge loses with 401."""
    if rowcount(db.session.execute(update(AuthChallenge).where(AuthChallenge.id == row.id,
                                                               AuthChallenge.used_at.is_(None))
                                   .values(used_at=now()))) != 1:
        db.session.rollback()
        raise ChallengeUsed()


def void_if_exhausted(row: AuthChallenge) -> None:
    """After a wrong answer: the challenge is void once its attempts are spent."""
    if row.attempts >= current_app.config["MFA_CHALLENGE_ATTEMPTS"]:
        db.session.execute(update(AuthChallenge).where(AuthChallenge.id == row.id, AuthChallenge.used_at.is_(None))
                           .values(used_at=now()))
        db.session.commit()


def start_login(user: User) -> str:
    """After a right password, when a second factor is on: the challenge of the login's second step."""
    token = new_challenge("login", user_id=user.id, token_version=user.token_version)
    events.info("login needs a second factor", extra={"event": "login_mfa_required", "user_id": user.id})
    return token


def login_user(row: AuthChallenge) -> User:
    """The challenge's user, still active and at the challenge's token version (else the challenge is void)."""
    user = db.session.get(User, row.user_id) if row.user_id is not None else None
    if user is None or not user.is_active or user.token_version != row.token_version:
        raise ChallengeExpired("The sign-in was ended meanwhile: sign in again.")
    return user


def complete_login(token: str, code: str | None, recovery_code: str | None, user_agent: str,
                   ip: str) -> tuple[User, TokenPair]:
    """The second step with a TOTP or recovery code: a session like a password login's, marked with its factor."""
    from ledger.auth.sessions import open_session

    row = open_challenge(token, "login")
    user = login_user(row)
    try:
        factor = check_code(user.id, code, recovery_code)
    except InvalidCode:
        void_if_exhausted(row)
        raise
    close_challenge(row)
    return user, open_session(user, user_agent, ip, factor)


# -- admin ------------------------------------------------------------------------------------------------------

def reset(user: User) -> None:
    """`flask users mfa-reset`: every factor, recovery code and challenge goes, and every session ends."""
    user_id = user.id
    for model in (RecoveryCode, WebauthnCredential, AuthChallenge, UserMfa):
        db.session.execute(delete(model).where(model.user_id == user_id))
    revoke_all_tokens(user_id)
    commit_user_change(user_id)
    events.warning("second factors reset by admin", extra={"event": "mfa_reset", "user_id": user_id})


def rowcount_delete(statement) -> int:
    return rowcount(db.session.execute(statement))


def step_up_with_code(user_id: int, session_id: int, code: str | None, recovery_code: str | None) -> datetime:
    if not login_methods(user_id):
        raise MfaNotEnabled("No second factor is on: nothing to prove.")
    check_code(user_id, code, recovery_code)
    when = now()
    record_step_up(session_id, when)
    db.session.commit()
    events.info("step-up", extra={"event": "step_up", "user_id": user_id, "session_id": session_id})
    return when
