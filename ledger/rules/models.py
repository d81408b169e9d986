"""Rules: ordered per ledger; conditions and actions are JSON documents validated by ledger.rules.schemas."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model


class Rule(Model):
    __tablename__ = "rules"
    __table_args__ = (
        Index("ix_rules_ledger_id_position", "ledger_id", "position"),
        CheckConstraint("match IN ('all', 'any')", name="match"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="", server_default=text("''"))
    match: Mapped[str] = mapped_column(String(3), default="all", server_default=text("'all'"))
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
