"""Reading the change feed, and purging old tombstones.

A page is read at one position of the ledger, `ledger_seq` (its counter, read first): every transaction that
took a number up to it has committed (ledger.feed.stamp), so the page's rows with since < change_seq <=
ledger_seq are complete. A row changed again meanwhile has moved past ledger_seq and comes in a later page.
Each feed table (and the tombstones) is read with one index range scan on (ledger_id, change_seq), at most
`limit + 1` rows each; the merged first `limit` are the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, select, update

from ledger.database import rowcount, utcnow
from ledger.errors import Gone
from ledger.extensions import db
from ledger.feed.kinds import KINDS
from ledger.feed.models import FEED_MODELS, ChangeTombstone
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.models import Ledger

TOMBSTONE_RETENTION = timedelta(days=30)


class CursorExpired(Gone):
    code, detail = "cursor_expired", \
        "The changes after this cursor are no longer all kept: fetch everything again from since=0."


@dataclass(frozen=True)
class FeedPosition:
    ledger_seq: int  # the last number handed out
    horizon: int  # the highest number of a purged tombstone: a cursor below it may have missed a deletion


@dataclass
class FeedPage:
    changes: list[dict[str, Any]]
    next: int
    has_more: bool
    ledger_seq: int


def position(ledger: LedgerScope) -> FeedPosition:
    """The ledger's counter and horizon (one statement)."""
    row = db.session.execute(select(Ledger.change_seq, Ledger.change_horizon).where(Ledger.id == ledger.id)).one()
    return FeedPosition(int(row[0]), int(row[1]))


def check_cursor(at: FeedPosition, since: int) -> None:
    """CursorExpired for a cursor the feed cannot continue exactly: older than the tombstones kept, or beyond
    the ledger's counter (not issued for this ledger's history, e.g. after a restore from a backup)."""
    if since > at.ledger_seq or 0 < since < at.horizon:
        raise CursorExpired()


def etag(ledger: LedgerScope, at: FeedPosition, since: int, limit: int) -> str:
    """Equal for two requests exactly when their answers are: same ledger, counter, cursor and limit."""
    return f'"feed-{ledger.id}-{at.ledger_seq}-{since}-{limit}"'


def read_changes(ledger: LedgerScope, at: FeedPosition, since: int, limit: int) -> FeedPage:
    """The ledger's changes after `since` up to `at.ledger_seq`, in seq order, at most `limit`.

    since=0 is a snapshot: the live rows only (a client that has nothing needs no tombstones); its pages
    continue with since > 0 like any cursor, so a row deleted while a snapshot is being paged is reported.
    """
    found: list[tuple[int, str, Any]] = []
    for kind, model in FEED_MODELS.items():
        rows = db.session.execute(
            select(model).where(model.ledger_id == ledger.id, model.change_seq > since,
                                model.change_seq <= at.ledger_seq).order_by(model.change_seq).limit(limit + 1)
        ).scalars().all()
        found.extend((row.change_seq, kind, row) for row in rows)
    if since > 0:
        tombstones = db.session.execute(
            select(ChangeTombstone).where(ChangeTombstone.ledger_id == ledger.id, ChangeTombstone.change_seq > since,
                                          ChangeTombstone.change_seq <= at.ledger_seq)
            .order_by(ChangeTombstone.change_seq).limit(limit + 1)
        ).scalars().all()
        found.extend((row.change_seq, "", row) for row in tombstones)
    found.sort(key=lambda item: item[0])
    page, has_more = found[:limit], len(found) > limit
    data = _dump(ledger, page)
    changes = [{"seq": seq, "kind": row.kind, "id": row.row_id, "op": "delete", "data": None} if kind == ""
               else {"seq": seq, "kind": kind, "id": row.id, "op": "upsert", "data": data[(kind, row.id)]}
               for seq, kind, row in page]
    return FeedPage(changes=changes, next=page[-1][0] if has_more else at.ledger_seq, has_more=has_more,
                    ledger_seq=at.ledger_seq)


def _dump(ledger: LedgerScope, page: list[tuple[int, str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """Each upserted row's response body, dumped kind by kind (a bounded number of statements)."""
    by_kind: dict[str, list[Any]] = {}
    for _, kind, row in page:
        if kind:
            by_kind.setdefault(kind, []).append(row)
    bodies: dict[tuple[str, int], dict[str, Any]] = {}
    for kind, rows in by_kind.items():
        dump = KINDS[kind][1]
        bodies.update(((kind, row.id), body) for row, body in zip(rows, dump(ledger, rows), strict=True))
    return bodies


def purge_tombstones(older_than: timedelta = TOMBSTONE_RETENTION, now: datetime | None = None) -> int:
    """Delete tombstones older than `older_than`, moving each ledger's horizon past them first (a cursor
    below it is then 410 cursor_expired); returns how many. One transaction."""
    cutoff = (now or utcnow()) - older_than
    purged = select(func.max(ChangeTombstone.change_seq)).where(
        ChangeTombstone.ledger_id == Ledger.id, ChangeTombstone.deleted_at < cutoff).scalar_subquery()
    touched = select(ChangeTombstone.ledger_id).where(ChangeTombstone.deleted_at < cutoff)
    db.session.execute(
        update(Ledger).where(Ledger.id.in_(touched))
        .values(change_horizon=case((purged > Ledger.change_horizon, purged), else_=Ledger.change_horizon))
        .execution_options(synchronize_session=False))
    result = db.session.execute(delete(ChangeTombstone).where(ChangeTombstone.deleted_at < cutoff))
    db.session.commit()
    return rowcount(result)
