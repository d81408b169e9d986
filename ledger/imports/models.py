"""Uploaded statements awaiting a commit, saved column mappings, and the fingerprints of imported rows."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model

IMPORT_STATUSES = ("preview", "committed")


class StatementImport(Model):
    """One upload: its table (cells as text, never the password), the mapping and the per-row choices."""

    __tablename__ = "statement_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    profile: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH), nullable=True)
    header_row: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list[Any]] = mapped_column(JSON)  # every row of the sheet, cells as text
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)  # row index (text) → include (bool)
    status: Mapped[str] = mapped_column(String(12), default="preview")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ImportProfile(Model):
    """A mapping saved for a ledger's account, recognised again by the header's signature."""

    __tablename__ = "import_profiles"
    __table_args__ = (UniqueConstraint("account_id", "signature", name="uq_import_profiles_account_signature"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    signature: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)


class ImportFingerprint(Model):
    """One imported statement row: re-importing an overlapping period finds it here."""

    __tablename__ = "import_fingerprints"
    __table_args__ = (
        UniqueConstraint("account_id", "fingerprint", name="uq_import_fingerprints_account_fingerprint"),
        Index("ix_import_fingerprints_ledger_id", "ledger_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
