"""Monthly limits per expense category."""
from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.extensions import Model
from ledger.feed.models import ChangeFeed


class Budget(ChangeFeed, Model):
    __tablename__ = "budgets"
    __change_feed__ = "budgets"
    __table_args__ = (UniqueConstraint("ledger_id", "month", "category_id", name="uq_budgets_ledger_month_category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the ledger's accounting month
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
