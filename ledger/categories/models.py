"""Two-level income/expense categories."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model
from ledger.feed.models import ChangeFeed

CATEGORY_KINDS = ("income", "expense")


def parent_key(parent_id: int | None) -> int:
    """The value of `parent_key` for a category under `parent_id` (None: top level).

    NULLs are distinct in a UNIQUE constraint, so top-level names need a value of their own: 0, never an id.
    """
    return parent_id or 0


class Category(ChangeFeed, Model):
    __tablename__ = "categories"
    __change_feed__ = "categories"
    __table_args__ = (
        # parent_key is parent_key(parent_id): top-level names are unique too.
        UniqueConstraint("ledger_id", "kind", "parent_key", "name", name="uq_categories_ledger_kind_parent_name"),
        CheckConstraint("kind IN ('income', 'expense')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"),
                                                  nullable=True, index=True)
    parent_key: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    color: Mapped[str | None] = mapped_column(String(7), nullable=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
