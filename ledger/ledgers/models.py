"""A ledger (one household's book), its members with their roles, and invitations to join it."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model

ROLES = ("owner", "editor", "viewer")
# The roles that may change a ledger's data (accounts, categories, entries, budgets, imports).
WRITER_ROLES = ("owner", "editor")


class Ledger(Model):
    __tablename__ = "ledgers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    currency: Mapped[str] = mapped_column(String(3))
    # The household's payday month: with 25, "2026-11" runs from 2026-10-25 to 2026-11-24 (ledger.months).
    month_start_day: Mapped[int] = mapped_column(SmallInteger, default=1, server_default=text("1"))
    # The household's IANA time zone: what "today" is for its schedules (ledger.clock.household_today).
    timezone: Mapped[str] = mapped_column(String(64), default=lambda: current_app.config["LEDGER_TIMEZONE"],
                                          server_default=text("'Asia/Seoul'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The change feed (ledger.feed): the last change_seq handed out, incremented by every writing transaction
    # under this row's lock; and the highest change_seq of a purged tombstone (an older cursor is 410).
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    change_horizon: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class LedgerMember(Model):
    __tablename__ = "ledger_members"
    __table_args__ = (CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),)

    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), primary_key=True)
    # The auth check looks a membership up by (ledger_id, user_id): the primary key; lists by user use the index.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerInvite(Model):
    """A one-time link to join a ledger. Only the SHA-256 of its token is stored."""

    __tablename__ = "ledger_invites"
    __table_args__ = (CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
