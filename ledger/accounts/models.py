"""Accounts (payment methods): cash, bank, cards."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model
from ledger.feed.models import ChangeFeed

ACCOUNT_TYPES = ("cash", "bank", "credit_card", "debit_card", "other")


class Account(ChangeFeed, Model):
    __tablename__ = "accounts"
    __change_feed__ = "accounts"
    __table_args__ = (
        UniqueConstraint("ledger_id", "name", name="uq_accounts_ledger_id_name"),
        CheckConstraint("type IN ('cash', 'bank', 'credit_card', 'debit_card', 'other')", name="type"),
        CheckConstraint("payment_day BETWEEN 1 AND 31", name="payment_day"),
        CheckConstraint("usage_start_day BETWEEN 1 AND 31", name="usage_start_day"),
        CheckConstraint("usage_month_offset BETWEEN 1 AND 2", name="usage_month_offset"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    type: Mapped[str] = mapped_column(String(20))
    # Minor units of the ledger's currency; may be negative (a card's debt).
    opening_balance: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A credit card's billing cycle (ledger.cards.billing); NULL: the default one, and for every other type.
    payment_day: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    usage_start_day: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    usage_month_offset: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
