"""The change feed's schema: the `ChangeFeed` marker of ledger tables, and the tombstones of deleted rows.

A ledger table joins the feed with ONE line, the marker as its first base class::

    class Payee(ChangeFeed, Model):
        __tablename__ = "payees"
        __change_feed__ = "payees"      # the `kind` of its changes

The marker adds a `change_seq` column and an index on (ledger_id, change_seq); the table must have `id` and
`ledger_id`. Its migration adds the same (see migrations/versions/0011_change_feed.py, `add_feed_columns`),
and ledger.feed.kinds names the response schema that serialises its rows (without one, the feed refuses to
start: tests/feed/test_kinds.py). From then on every ORM insert, update and delete of its rows is stamped by
ledger.feed.stamp; bulk statements call the helpers there.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import UTCDateTime, utcnow
from ledger.extensions import Model

# kind → model of every table in the feed, filled by the marker as the models are defined.
FEED_MODELS: dict[str, Any] = {}


class ChangeFeed:
    """Marker of a ledger table whose changes the feed carries (see the module's docstring)."""

    __change_feed__: ClassVar[str]

    # The ledger's change_seq when the row was last inserted or changed (unique among the ledger's rows).
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # maps the class: its table exists from here on
        kind = cls.__dict__.get("__change_feed__")
        if kind is None:
            return
        if kind in FEED_MODELS:
            raise TypeError(f"two tables claim the change-feed kind {kind!r}")
        FEED_MODELS[kind] = cls
        table = cls.__table__  # type: ignore[attr-defined]
        Index(f"ix_{table.name}_ledger_id_change_seq", table.c.ledger_id, table.c.change_seq)


class ChangeTombstone(Model):
    """A deleted row of a feed table: what the feed answers as `op: "delete"`. Purged after 30 days
    (`flask feed purge-tombstones`), which moves the ledger's `change_horizon` past them."""

    __tablename__ = "change_tombstones"
    __table_args__ = (Index("ix_change_tombstones_ledger_id_change_seq", "ledger_id", "change_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int] = mapped_column(Integer)
    change_seq: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
