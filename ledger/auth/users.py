"""User administration: registration, profile, password, activation and deletion, shared by the API and the
`flask users` commands."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app
from marshmallow import ValidationError as MarshmallowValidationError
from marshmallow import validate
from sqlalchemy import delete, select, update

from ledger import money
from ledger.auth import passwords
from ledger.auth.issuing import TokenPair, issue_pair
from ledger.auth.models import RefreshToken, Session, User
from ledger.auth.revocation import commit_user_change, revoke_all_tokens
from ledger.auth.state import auth_state
from ledger.database import NAME_MAX_LENGTH, utcnow
from ledger.errors import Conflict, InvalidCredentials, NotFound, RegistrationClosed, TokenRevoked, ValidationFailed
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
                display_name=(display_name or email.split("@")[0])[:NAME_MAX_LENGTH])
    db.session.add(user)
    db.session.flush()  # a racing duplicate fails here as IntegrityError → 409
    from ledger.ledgers.services import create_personal_ledger  # the ledgers feature imports auth's models

    create_personal_ledger(user, currency, locale)
    db.session.commit()
    events.info("user created", extra={"event": "user_created", "user_id": user.id})
    return user


def get_user(user_id: int) -> User:
    """The ORM row of an authenticated caller, for the services that change it."""
    user = db.session.get(User, user_id)
    if user is None:  # deleted between the auth check and now
        raise TokenRevoked()
    return user


def update_profile(user_id: int, changes: Mapping[str, Any]) -> User:
    """The display name, and the default ledger (`default_ledger_id`, a ledger the user is a member of)."""
    from ledger.ledgers.services import set_default_ledger

    user = get_user(user_id)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "default_ledger_id" in changes:
        set_default_ledger(user.id, changes["default_ledger_id"])
    commit_user_change(user.id)
    db.session.refresh(user)
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
    session = db.session.get_one(Session, session_id)
    now = utcnow()
    # The caller's old refresh tokens carry the old version; close them explicitly too.
    db.session.execute(update(RefreshToken).where(RefreshToken.session_id == session_id,
                                                  RefreshToken.used_at.is_(None)).values(used_at=now))
    pair = issue_pair(user.id, version, session, now)
    commit_user_change(user.id)
    events.info("password changed", extra={"event": "password_changed", "user_id": user.id})
    return user, pair


def set_password(user: User, new: str) -> None:
    """Admin: set a password and revoke every token."""
    check_new_password(new, user.email)
    user.password_hash = passwords.hash_password(new)
    revoke_all_tokens(user.id)
    commit_user_change(user.id)
    events.info("password set by admin", extra={"event": "password_changed", "user_id": user.id})


def set_active(user: User, active: bool) -> None:
    """Deactivation revokes every token and blocks login; activation lets the user log in again."""
    user.is_active = active
    if not active:
        revoke_all_tokens(user.id)
    commit_user_change(user.id)
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
