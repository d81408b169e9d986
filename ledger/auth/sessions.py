"""The session life cycle: login opens a session (one device), refresh rotates its refresh token, logout and
ending a session close them; shared by the API and the `flask users` and `flask tokens` commands."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update

from ledger.auth import passwords
from ledger.auth.decoding import TokenIdentity
from ledger.auth.issuing import TokenPair, csrf_for, issue_access_token, issue_pair, new_jti
from ledger.auth.models import RefreshToken, Session, User
from ledger.auth.revocation import commit_sessions_ended, commit_user_change, revoke_all_tokens, revoke_session
from ledger.auth.users import normalize_email
from ledger.database import rowcount, utcnow
from ledger.errors import InvalidCredentials, NotFound, RefreshTokenReused, TokenRevoked
from ledger.extensions import db

events = logging.getLogger("ledger.auth")


def _start_session(user: User, user_agent: str, ip: str, now: datetime, factor: str = "password") -> TokenPair:
    from ledger.auth.mfa.services import now as factor_clock

    cfg = current_app.config
    session = Session(user_id=user.id, user_agent=user_agent[:512], ip=ip[:64], created_at=now,
                      last_used_at=now, expires_at=now + timedelta(seconds=cfg["SESSION_MAX_AGE"]), factor=factor,
                      step_up_at=None if factor == "password" else factor_clock())
    db.session.add(session)
    db.session.flush()
    return issue_pair(user.id, user.token_version, session, now)


@dataclass
class LoginResult:
    user: User
    pair: TokenPair | None = None
    # When a second factor is on: no tokens, but the challenge of POST /auth/login/mfa and the factors it takes.
    challenge: str | None = None
    methods: list[str] = field(default_factory=list)


def check_password(email: str, password: str, ip: str) -> User:
    """The active user of these credentials, else 401 invalid_credentials (one Argon2 verification either way)."""
    user = db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
    # Always run one Argon2 verification, so unknown emails take as long as wrong passwords.
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        events.info("login failed", extra={"event": "login_failed", "user_id": user.id if user else None,
                                           "ip": ip})
        raise InvalidCredentials()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def login(email: str, password: str, user_agent: str, ip: str) -> LoginResult:
    """Check the credentials and open a new session (one device), or, when the user has a second factor, answer
    the challenge of the second step (ledger.auth.mfa) and no token."""
    from ledger.auth.mfa import services as mfa

    user = check_password(email, password, ip)
    methods = mfa.login_methods(user.id)
    if methods:
        challenge = mfa.start_login(user)
        db.session.commit()
        return LoginResult(user, challenge=challenge, methods=methods)
    return LoginResult(user, pair=open_session(user, user_agent, ip))


def open_session(user: User, user_agent: str, ip: str, factor: str = "password") -> TokenPair:
    """A new session of a user who proved who they are (`factor`: password, totp, recovery or passkey)."""
    pair = _start_session(user, user_agent, ip, utcnow(), factor)
    db.session.commit()
    events.info("login ok", extra={"event": "login_ok", "user_id": user.id, "ip": ip, "factor": factor})
    return pair


@dataclass
class RefreshResult:
    pair: TokenPair
    rotated: bool  # False inside the grace window: no new refresh token


def refresh(claims: dict[str, Any], ident: TokenIdentity, user_agent: str, ip: str) -> RefreshResult:
    """Rotate a refresh token atomically, with reuse detection and a grace window."""
    user_id, version, session_id = ident.user_id, ident.version, ident.session_id
    jti = claims["jti"]
    now = utcnow()
    row = db.session.execute(
        select(RefreshToken.used_at, RefreshToken.expires_at, Session, User)
        .join(Session, Session.id == RefreshToken.session_id)
        .join(User, User.id == Session.user_id)
        .where(RefreshToken.jti == jti, Session.id == session_id, Session.nonce == ident.session_nonce,
               User.id == user_id)
    ).one_or_none()
    if row is None:
        raise TokenRevoked()
    used_at, token_expires_at, session, user = row
    if not user.is_active or user.token_version != version or session.revoked_at is not None \
            or session.expires_at <= now or token_expires_at <= now:
        raise TokenRevoked()

    successor = new_jti()
    won = used_at is None and rowcount(db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == jti, RefreshToken.used_at.is_(None))
        .values(used_at=now, replaced_by=successor)
    )) == 1
    if won:
        session.last_used_at, session.ip, session.user_agent = now, ip[:64], user_agent[:512]
        pair = issue_pair(user.id, version, session, now, jti=successor)
        db.session.commit()
        events.info("refresh", extra={"event": "refresh", "user_id": user.id, "session_id": session.id})
        return RefreshResult(pair, rotated=True)

    # Someone rotated this token before us: another tab (grace) or a thief (reuse).
    # Under READ COMMITTED a new statement sees the winner's committed used_at.
    first_use, winner = db.session.execute(
        select(RefreshToken.used_at, RefreshToken.replaced_by).where(RefreshToken.jti == jti)).one()
    grace = timedelta(seconds=current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    if first_use is not None and now <= first_use + grace:
        access, expires_in = issue_access_token(user_id, version, session, now)
        db.session.rollback()
        events.info("refresh within grace", extra={"event": "refresh_grace", "user_id": user_id,
                                                   "session_id": session_id})
        # The cookies are left alone: they hold the successor (set by the winner's response), so the CSRF
        # value to use next is the successor's.
        return RefreshResult(TokenPair(access, expires_in, csrf_token=csrf_for(winner) if winner else None),
                             rotated=False)
    revoke_session(session_id, now)
    commit_sessions_ended([(session_id, session.nonce)])
    events.warning("refresh token reused; session revoked",
                   extra={"event": "reuse_detected", "user_id": user_id, "session_id": session_id, "ip": ip})
    raise RefreshTokenReused()


def logout(user_id: int, session_id: int | None = None) -> None:
    """Every access and refresh token of the user, on every device, stops working.

    `session_id` is the caller's session when users log themselves out (POST /auth/logout); None when an
    administrator does it (`flask users logout`).
    """
    revoke_all_tokens(user_id)
    commit_user_change(user_id)
    events.info("logout" if session_id is not None else "logout by admin",
                extra={"event": "logout", "user_id": user_id, "session_id": session_id})


def live_sessions_filter(now: datetime) -> ColumnElement[bool]:
    idle = timedelta(seconds=current_app.config["REFRESH_TOKEN_IDLE"])
    return and_(Session.revoked_at.is_(None), Session.expires_at > now, Session.last_used_at > now - idle)


def list_sessions(user_id: int) -> list[Session]:
    return list(db.session.execute(
        select(Session).where(Session.user_id == user_id, live_sessions_filter(utcnow()))
        .order_by(Session.last_used_at.desc(), Session.id.desc())
    ).scalars())


def end_session(user_id: int, session_id: int) -> None:
    """Log out one device: that session's tokens stop working, others keep working."""
    now = utcnow()
    ended = db.session.execute(
        update(Session).where(Session.id == session_id, Session.user_id == user_id,
                              live_sessions_filter(now)).values(revoked_at=now).returning(Session.nonce)
    ).scalars().all()
    if len(ended) != 1:
        db.session.rollback()
        raise NotFound("No such session.")
    commit_sessions_ended([(session_id, ended[0])])
    events.info("session ended", extra={"event": "session_ended", "user_id": user_id,
                                        "session_id": session_id})


def purge_tokens() -> int:
    """Delete refresh-token rows that expired, or whose session was revoked or expired."""
    now = utcnow()
    dead_sessions = select(Session.id).where(or_(Session.revoked_at.is_not(None), Session.expires_at <= now))
    count = rowcount(db.session.execute(
        delete(RefreshToken).where(or_(RefreshToken.expires_at <= now,
                                       RefreshToken.session_id.in_(dead_sessions)))
    ))
    db.session.commit()
    return count


def session_counts() -> dict[int, int]:
    """user id → number of live sessions, for `flask users list`."""
    rows = db.session.execute(
        select(Session.user_id, func.count()).where(live_sessions_filter(utcnow())).group_by(Session.user_id)
    )
    return {user_id: count for user_id, count in rows}
