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
    SmallInteger,
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
        CheckConstraint("installment_months BETWEEN 2 AND 36", name="installment_months"),
        # A schedule posts each occurrence once, whoever runs it how often (ledger.schedules.services).
        UniqueConstraint("schedule_id", "scheduled_on", name="uq_entries_schedule_id_scheduled_on"),
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
    # 할부: a card expense paid in this many monthly portions (ledger.cards.billing); NULL is 일시불 (at once).
    installment_months: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    # Posted by a schedule: which one, and the occurrence's nominal date (before a weekend move).
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"), nullable=True)
    scheduled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    memo: Mapped[str] = mapped_column(String(500), default="", server_default=text("''"))
    # Payees (ledger.payees): who was paid; imported_payee keeps the raw text an import brought.
    # Indexed with occurred_on by ledger.payees.models (ix_entries_payee_id_occurred_on).
    payee_id: Mapped[int | None] = mapped_column(ForeignKey("payees.id", ondelete="SET NULL"), nullable=True)
    imported_payee: Mapped[str | None] = mapped_column(String(200), nullable=True)  # entries.schemas.IMPORTED_PAYEE_MAX
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
    # A split entry's lines (2..50, summing to `amount`; the entry's own category_id is NULL then); empty when
    # unsplit. Reports read entries and lines through ledger.entries.effective only.
    line_rows: Mapped[list[EntryLine]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                      order_by="EntryLine.position", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def lines(self) -> list[EntryLine]:
        return list(self.line_rows)


class EntryTag(Model):
    __tablename__ = "entry_tags"
    __table_args__ = (Index("ix_entry_tags_tag_entry_id", "tag", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)


class EntryLine(Model):
    """One line of a split entry: part of its amount in a category of its own, with a memo."""

    __tablename__ = "entry_lines"
    __table_args__ = (
        # The lines of one entry in order; also the probe of the reports' "has it lines?" (NOT EXISTS).
        Index("uq_entry_lines_entry_id_position", "entry_id", "position", unique=True),
        # The category filter of GET /entries, a category's "in use" check and its reassignment.
        Index("ix_entry_lines_ledger_id_category_id", "ledger_id", "category_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    memo: Mapped[str] = mapped_column(String(500), default="", server_default=text("''"))


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
