"""Account and token services, shared by the API and the `flask users` commands."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from marshmallow import ValidationError as MarshmallowValidationError
from marshmallow import validate
from sqlalchemy import and_, delete, func, or_, select, update

from ledger import money
from ledger.auth import passwords
from ledger.auth.models import RefreshToken, Session, User
from ledger.auth.state import auth_state
from ledger.auth.tokens import TokenIdentity, TokenPair, csrf_for, issue_access_token, issue_refresh_token, new_jti
from ledger.database import utcnow
from ledger.errors import (
    Conflict,
    InvalidCredentials,
    NotFound,
    RefreshTokenReused,
    RegistrationClosed,
    TokenRevoked,
    ValidationFailed,
)
from ledger.extensions import db

events = logging.getLogger("ledger.auth")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_new_password(password: str, email: str | None, field: str = "password") -> None:
    problems = passwords.password_problems(password, email)
    if problems:
        raise ValidationFailed(errors={field: problems})


def check_email(email: str) -> None:
    """The API's rule (marshmallow's Email, at most 254 characters), for every caller of create_user."""
    try:
        validate.Email()(email)
        validate.Length(max=254)(email)
    except MarshmallowValidationError as error:
        raise ValidationFailed(errors={"email": error.messages}) from None


def find_user(email: str) -> User:
    user = db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No user with email {normalize_email(email)}.")
    return user


def create_user(email: str, password: str, *, display_name: str | None = None,
                currency: str | None = None, locale: str = "en", check_registration: bool = False) -> User:
    """Create a user with a hashed password and their default ledger data."""
    if check_registration and not current_app.config["REGISTRATION_OPEN"]:
        raise RegistrationClosed()
    email = normalize_email(email)
    check_email(email)  # the API's schema already did; the CLI relies on this
    check_new_password(password, email)
    currency = (currency or current_app.config["DEFAULT_CURRENCY"]).upper()
    if not money.is_known(currency):
        raise ValidationFailed(errors={"currency": [f"Unknown ISO 4217 currency {currency}."]})
    if db.session.execute(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict("That email is already registered.")
    user = User(email=email, password_hash=passwords.hash_password(password),
                display_name=(display_name or email.split("@")[0])[:100])
    db.session.add(user)
    db.session.flush()  # a racing duplicate fails here as IntegrityError → 409
    from ledger.ledgers.services import create_personal_ledger  # the ledgers feature imports auth's models

    create_personal_ledger(user, currency, locale)
    db.session.commit()
    events.info("user created", extra={"event": "user_created", "user_id": user.id})
    return user


def _start_session(user: User, user_agent: str, ip: str, now: datetime) -> TokenPair:
    cfg = current_app.config
    session = Session(user_id=user.id, user_agent=user_agent[:512], ip=ip[:64], created_at=now,
                      last_used_at=now, expires_at=now + timedelta(seconds=cfg["SESSION_MAX_AGE"]))
    db.session.add(session)
    db.session.flush()
    return _issue_pair(user.id, user.token_version, session, now)


def _issue_pair(user_id: int, version: int, session: Session, now: datetime) -> TokenPair:
    """Store a new refresh-token jti in `session` and sign both tokens."""
    idle = timedelta(seconds=current_app.config["REFRESH_TOKEN_IDLE"])
    expires_at = min(now + idle, session.expires_at)
    jti = new_jti()
    db.session.add(RefreshToken(jti=jti, session_id=session.id, issued_at=now, expires_at=expires_at))
    refresh, csrf = issue_refresh_token(user_id, version, session, jti, expires_at, now)
    access, expires_in = issue_access_token(user_id, version, session, now)
    return TokenPair(access, expires_in, refresh, csrf, expires_at)


def login(email: str, password: str, user_agent: str, ip: str) -> tuple[User, TokenPair]:
    """Check the credentials and open a new session (one device)."""
    user = db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
    # Always run one Argon2 verification, so unknown emails take as long as wrong passwords.
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        events.info("login failed", extra={"event": "login_failed", "user_id": user.id if user else None,
                                           "ip": ip})
        raise InvalidCredentials()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    pair = _start_session(user, user_agent, ip, utcnow())
    db.session.commit()
    events.info("login ok", extra={"event": "login_ok", "user_id": user.id, "ip": ip})
    return user, pair


@dataclass
class RefreshResult:
    pair: TokenPair
    rotated: bool  # False inside the grace window: no new refresh token


def refresh(claims: dict, ident: TokenIdentity, user_agent: str, ip: str) -> RefreshResult:
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
    won = used_at is None and db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == jti, RefreshToken.used_at.is_(None))
        .values(used_at=now, replaced_by=successor)
    ).rowcount == 1
    if won:
        idle = timedelta(seconds=current_app.config["REFRESH_TOKEN_IDLE"])
        expires_at = min(now + idle, session.expires_at)
        db.session.add(RefreshToken(jti=successor, session_id=session.id, issued_at=now,
                                    expires_at=expires_at))
        session.last_used_at, session.ip, session.user_agent = now, ip[:64], user_agent[:512]
        token, csrf = issue_refresh_token(user.id, version, session, successor, expires_at, now)
        access, expires_in = issue_access_token(user.id, version, session, now)
        db.session.commit()
        events.info("refresh", extra={"event": "refresh", "user_id": user.id, "session_id": session.id})
        return RefreshResult(TokenPair(access, expires_in, token, csrf, expires_at), rotated=True)

    # Someone rotated this token before us: another tab (grace) or a thief (reuse).
    # Under READ COMMITTED a new statement sees the winner's committed used_at.
    first_use, successor = db.session.execute(
        select(RefreshToken.used_at, RefreshToken.replaced_by).where(RefreshToken.jti == jti)).one()
    grace = timedelta(seconds=current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    if now <= first_use + grace:
        access, expires_in = issue_access_token(user_id, version, session, now)
        db.session.rollback()
        events.info("refresh within grace", extra={"event": "refresh_grace", "user_id": user_id,
                                                   "session_id": session_id})
        # The cookies are left alone: they hold the successor (set by the winner's response), so the CSRF
        # value to use next is the successor's.
        return RefreshResult(TokenPair(access, expires_in, csrf_token=csrf_for(successor) if successor else None),
                             rotated=False)
    revoke_session(session_id, now)
    db.session.commit()
    _publish_sessions([(session_id, session.nonce)])
    events.warning("refresh token reused; session revoked",
                   extra={"event": "reuse_detected", "user_id": user_id, "session_id": session_id, "ip": ip})
    raise RefreshTokenReused()


def revoke_session(session_id: int, now: datetime) -> int:
    return db.session.execute(
        update(Session).where(Session.id == session_id, Session.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount


def revoke_all_tokens(user_id: int, *, keep_session: int | None = None) -> int:
    """Increment token_version in SQL (never read-modify-write) and end the user's sessions.

    Returns the new token version.
    """
    now = utcnow()
    version = db.session.execute(
        update(User).where(User.id == user_id).values(token_version=User.token_version + 1)
        .returning(User.token_version)
    ).scalar_one()
    condition = [Session.user_id == user_id, Session.revoked_at.is_(None)]
    if keep_session is not None:
        condition.append(Session.id != keep_session)
    db.session.execute(update(Session).where(*condition).values(revoked_at=now))
    return version


def _publish_user(user_id: int) -> None:
    """After a commit: the user's new version, active flag or profile, through to the Redis copy."""
    state = auth_state()
    if state is None:
        return
    user = db.session.execute(select(User).where(User.id == user_id)
                              .execution_options(populate_existing=True)).scalar_one_or_none()
    if user is not None:
        state.user_changed(user)


def _publish_sessions(sessions: list[tuple[int, str]]) -> None:
    """After a commit: these (id, nonce) sessions are revoked, in the Redis copy too."""
    state = auth_state()
    if state is not None:
        state.sessions_revoked(sessions)


def logout(user_id: int, session_id: int) -> None:
    """Every access and refresh token of the user, on every device, stops working."""
    revoke_all_tokens(user_id)
    db.session.commit()
    _publish_user(user_id)
    events.info("logout", extra={"event": "logout", "user_id": user_id, "session_id": session_id})


def live_sessions_filter(now: datetime):
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
    db.session.commit()
    _publish_sessions([(session_id, ended[0])])
    events.info("session ended", extra={"event": "session_ended", "user_id": user_id,
                                        "session_id": session_id})


def get_user(user_id: int) -> User:
    """The ORM row of an authenticated caller, for the services that change it."""
    user = db.session.get(User, user_id)
    if user is None:  # deleted between the auth check and now
        raise TokenRevoked()
    return user


def update_profile(user_id: int, changes: dict) -> User:
    """The display name, and the default ledger (`default_ledger_id`, a ledger the user is a member of)."""
    from ledger.ledgers.services import set_default_ledger

    user = get_user(user_id)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "default_ledger_id" in changes:
        set_default_ledger(user.id, changes["default_ledger_id"])
    db.session.commit()
    db.session.refresh(user)
    _publish_user(user.id)
    return user


def change_password(user_id: int, session_id: int, current: str, new: str) -> tuple[User, TokenPair]:
    """Change the password; every other token is revoked, the caller gets a fresh pair."""
    user = get_user(user_id)
    if not passwords.verify_password(user.password_hash, current):
        events.info("password change refused", extra={"event": "password_change_failed", "user_id": user.id})
        raise InvalidCredentials("The current password is wrong.")
    check_new_password(new, user.email, field="new_password")
    user.password_hash = passwords.hash_password(new)
    db.session.flush()
    version = revoke_all_tokens(user.id, keep_session=session_id)
    session = db.session.get(Session, session_id)
    now = utcnow()
    # The caller's old refresh tokens carry the old version; close them explicitly too.
    db.session.execute(update(RefreshToken).where(RefreshToken.session_id == session_id,
                                                  RefreshToken.used_at.is_(None)).values(used_at=now))
    pair = _issue_pair(user.id, version, session, now)
    db.session.commit()
    _publish_user(user.id)
    events.info("password changed", extra={"event": "password_changed", "user_id": user.id})
    return user, pair


def set_password(user: User, new: str) -> None:
    """Admin: set a password and revoke every token."""
    check_new_password(new, user.email)
    user.password_hash = passwords.hash_password(new)
    revoke_all_tokens(user.id)
    db.session.commit()
    _publish_user(user.id)
    events.info("password set by admin", extra={"event": "password_changed", "user_id": user.id})


def admin_logout(user: User) -> None:
    revoke_all_tokens(user.id)
    db.session.commit()
    _publish_user(user.id)
    events.info("logout by admin", extra={"event": "logout", "user_id": user.id})


def set_active(user: User, active: bool) -> None:
    """Deactivation revokes every token and blocks login; activation lets the user log in again."""
    user.is_active = active
    if not active:
        revoke_all_tokens(user.id)
    db.session.commit()
    _publish_user(user.id)
    events.info("user activated" if active else "user deactivated",
                extra={"event": "user_activated" if active else "user_deactivated", "user_id": user.id})


def delete_user(user: User) -> None:
    """Delete the user and, through ON DELETE CASCADE, all their data.

    The ledger's own references (entries → accounts/categories, child → parent category) are
    NO ACTION, checked at the end of the statement, so the cascade's order does not matter.
    """
    from ledger.ledgers.services import before_user_deleted, publish_memberships

    user_id = user.id
    promoted = before_user_deleted(user_id)
    version = db.session.execute(delete(User).where(User.id == user_id).returning(User.token_version)).scalar()
    db.session.commit()
    db.session.expunge_all()
    publish_memberships(promoted)
    state = auth_state()
    if state is not None and version is not None:
        state.user_deleted(user_id, version)
    events.info("user deleted", extra={"event": "user_deleted", "user_id": user_id})


def delete_account(user_id: int, password: str) -> None:
    user = get_user(user_id)
    if not passwords.verify_password(user.password_hash, password):
        raise InvalidCredentials("The password is wrong.")
    delete_user(user)


def purge_tokens() -> int:
    """Delete refresh-token rows that expired, or whose session was revoked or expired."""
    now = utcnow()
    dead_sessions = select(Session.id).where(or_(Session.revoked_at.is_not(None), Session.expires_at <= now))
    count = db.session.execute(
        delete(RefreshToken).where(or_(RefreshToken.expires_at <= now,
                                       RefreshToken.session_id.in_(dead_sessions)))
    ).rowcount
    db.session.commit()
    return count


def session_counts() -> dict[int, int]:
    """user id → number of live sessions, for `flask users list`."""
    rows = db.session.execute(
        select(Session.user_id, func.count()).where(live_sessions_filter(utcnow())).group_by(Session.user_id)
    )
    return {user_id: count for user_id, count in rows}
