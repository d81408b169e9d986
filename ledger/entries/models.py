"""Entries (income, expense, transfer), their tags, and stored idempotent responses."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ledger.database import UTCDateTime, utcnow
from ledger.extensions import Model
from ledger.feed.models import ChangeFeed
from ledger.ledgers.models import Ledger

ENTRY_TYPES = ("income", "expense", "transfer")


class Entry(ChangeFeed, Model):
    __tablename__ = "entries"
    __change_feed__ = "entries"
    __table_args__ = (
        # The keyset order of GET /entries and every month/report range scan.
        Index("ix_entries_ledger_id_occurred_on_id", "ledger_id", "occurred_on", "id"),
        # Covering for the reports' grouped sums (trend, monthly daily sums): answered from the index alone.
        # amount is a key column, not INCLUDE, so that SQLite (no INCLUDE) has the same index (migration 0004).
        Index("ix_entries_ledger_id_occurred_on_type_amount", "ledger_id", "occurred_on", "type", "amount"),
        CheckConstraint("type IN ('income', 'expense', 'transfer')", name="type"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)
    occurred_on: Mapped[date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    to_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"),
                                                      nullable=True, index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"),
                                                    nullable=True, index=True)
    memo: Mapped[str] = mapped_column(String(500), default="", server_default=text("''"))
    # Incremented on every change; the ETag, and the optimistic lock behind If-Match.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Who added and who last changed the entry; NULL once that member's user is deleted ("former member").
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Entries carry no currency of their own: they are in their ledger's, so a response schema needs nothing but
    # the entry (no request state). Deferred: the services that read entries for a request set it from the
    # request's ledger (entries.services.with_currency), which spares the SELECT a subquery per row; anything
    # else loads it with one SELECT when it is read. An entry never changes ledger, so an UPDATE leaves it as it
    # is (no reload after a flush).
    currency: Mapped[str] = column_property(
        select(Ledger.currency).where(Ledger.id == ledger_id).correlate_except(Ledger).scalar_subquery(),
        deferred=True, expire_on_flush=False)

    tag_rows: Mapped[list[EntryTag]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                    order_by="EntryTag.tag", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class EntryTag(Model):
    __tablename__ = "entry_tags"
    __table_args__ = (Index("ix_entry_tags_tag_entry_id", "tag", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)


class IdempotencyKey(Model):
    """The first response to a POST with an Idempotency-Key, replayed on a retry."""

    __tablename__ = "idempotency_keys"
    # Per ledger and per member: two members of one ledger may send the same key without colliding.
    __table_args__ = (UniqueConstraint("ledger_id", "user_id", "key", name="uq_idempotency_keys_ledger_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
