"""User, Session (one login on one device) and RefreshToken (one rotation step)."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased: the unique constraint is then case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    # The ledger that the unscoped paths (/api/v1/entries, ...) act on; the user is a member of it.
    default_ledger_id: Mapped[int | None] = mapped_column(ForeignKey("ledgers.id", ondelete="SET NULL"),
                                                          nullable=True)
    # Carried as the `ver` claim; incremented in SQL to revoke every token of the user.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Incremented in SQL whenever one of the user's memberships changes (joined, role changed, removed, ledger
    # settings or deletion, default ledger): the Redis copy of a membership is believed only at the same value.
    membership_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Session(Model):
    """One login on one device; its refresh tokens form one family."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Absolute lifetime (SESSION_MAX_AGE from login); rotation never extends it.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Random, carried in every token of the session as `sn`: ids can be handed out again (SQLite reuses
    # freed INTEGER PRIMARY KEYs; restores and hand-made rows can too), this value cannot.
    nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16),
                                       server_default=text("''"))
    # How the session was opened: password, totp, recovery or passkey (ledger.auth.mfa).
    factor: Mapped[str] = mapped_column(String(16), default="password", server_default=text("'password'"))
    # The last proof of a second factor in this session (login's second step or POST /auth/step-up).
    step_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RefreshToken(Model):
    """A stored refresh-token jti (never the token itself)."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Set once, by the one request that wins the rotation; the grace window counts from here.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
