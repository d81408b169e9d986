"""A schedule (an entry template plus a recurrence rule) and the occurrences skipped by hand."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model

MODES = ("auto", "remind")


class Schedule(Model):
    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("mode IN ('auto', 'remind')", name="mode"),
        CheckConstraint("freq IN ('daily', 'weekly', 'monthly', 'yearly')", name="freq"),
        CheckConstraint("weekend IN ('as_is', 'skip', 'before', 'after')", name="weekend"),
        CheckConstraint("interval_ >= 1", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    mode: Mapped[str] = mapped_column(String(6))
    # The body of POST /entries without occurred_on, as entries' own schema dumps it (services.template_payload).
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The rule (recurrence.Rule); `interval` is a reserved word in PostgreSQL.
    freq: Mapped[str] = mapped_column(String(7))
    interval: Mapped[int] = mapped_column("interval_", SmallInteger)
    start_on: Mapped[date] = mapped_column(Date)
    weekdays: Mapped[str] = mapped_column(String(13), default="", server_default=text("''"))  # "0,4": Mon, Fri
    month_day: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    last_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    week_of_month: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    weekday: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    until_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    weekend: Mapped[str] = mapped_column(String(6), default="as_is", server_default=text("'as_is'"))
    # Occurrences with an earlier nominal date belong to the rule before the last edit (future only).
    effective_from: Mapped[date] = mapped_column(Date)
    # Auto mode: the next occurrence not yet processed (nominal and moved date); NULL when the rule has ended.
    # A cheap "is anything due?" for the lazy catch-up: next_due_on <= today.
    next_nominal_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ScheduleSkip(Model):
    """An occurrence skipped by hand, keyed by its nominal date."""

    __tablename__ = "schedule_skips"

    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True)
    nominal_on: Mapped[date] = mapped_column(Date, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
