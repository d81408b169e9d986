"""Payees (who an entry was paid to or received from), the learning's counts and its declined suggestions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.entries.models import Entry
from ledger.extensions import Model


class Payee(Model):
    __tablename__ = "payees"
    # Names are unique per ledger case-insensitively: name_key is the name folded (ledger.payees.hangul.fold).
    __table_args__ = (UniqueConstraint("ledger_id", "name_key", name="uq_payees_ledger_id_name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    # The folded name with each Hangul syllable as its initial consonant (초성): "ㅅㅌㅂㅅ" for 스타벅스.
    initials: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayeeCategoryUse(Model):
    """How often a payee's entries got a category chosen by hand (the learning's evidence)."""

    __tablename__ = "payee_category_uses"

    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class SuggestionDecline(Model):
    """"Always put this payee in that category?" answered no: never offered again."""

    __tablename__ = "payee_suggestion_declines"

    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# An entry's payee, and the autocomplete's 90-day count per payee answered from the index alone (it is also the
# index of the foreign key). Declared here, with the feature that reads it, on the entries table.
Index("ix_entries_payee_id_occurred_on", Entry.payee_id, Entry.occurred_on)
