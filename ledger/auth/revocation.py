"""Ending tokens: the one way a user's or a session's tokens stop working, in the database and then, after the
commit and before the request answers, in the Redis copy (ledger.auth.state)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from ledger.auth.models import Session, User
from ledger.auth.state import auth_state
from ledger.database import rowcount, utcnow
from ledger.extensions import db


def revoke_session(session_id: int, now: datetime) -> int:
    """End one session in the caller's transaction; the caller commits with commit_sessions_ended."""
    return rowcount(db.session.execute(
        update(Session).where(Session.id == session_id, Session.revoked_at.is_(None)).values(revoked_at=now)
    ))


def revoke_all_tokens(user_id: int, *, keep_session: int | None = None) -> int:
    """Every token of the user stops working: increment token_version in SQL (never read-modify-write) and end
    the user's sessions (but `keep_session`), in the caller's transaction; the caller commits with
    commit_user_change.

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


def commit_user_change(user_id: int) -> None:
    """Commit, then write the user's new version, active flag or profile through to the Redis copy."""
    db.session.commit()
    state = auth_state()
    if state is None:
        return
    user = db.session.execute(select(User).where(User.id == user_id)
                              .execution_options(populate_existing=True)).scalar_one_or_none()
    if user is not None:
        state.user_changed(user)


def commit_sessions_ended(sessions: list[tuple[int, str]]) -> None:
    """Commit, then mark these (id, nonce) sessions revoked in the Redis copy too."""
    db.session.commit()
    state = auth_state()
    if state is not None:
        state.sessions_revoked(sessions)
