"""Stamping: every change of a feed table's row takes the next change_seq of its ledger, in the writing
transaction.

`UPDATE ledgers SET change_seq = change_seq + n ... RETURNING change_seq` hands out n numbers and locks the
ledger's row until the transaction ends, so the writers of one ledger take their numbers one after another
and commit in that order: a reader that sees change_seq N has every change up to N, and none of them can
appear later with a smaller number (no gap that fills in). A rollback gives its numbers back with its rows.
On SQLite the UPDATE takes the database's single write lock, which does the same.

One number per changed ROW (not per transaction): numbers are unique within a ledger, so a page of the feed
may end after any change and `next` alone is an exact cursor.

* ORM writes (session.add, attribute changes, session.delete) are stamped by one `before_flush` listener:
  nothing to do in a feature's service. A deleted row leaves a ChangeTombstone with its own number.
* Bulk statements bypass the ORM: a service that runs `update(Model)` calls `bulk_update` instead, one that
  inserts with Core `insert(Model)` puts `next_seqs(...)` numbers in its rows, and one that deletes in bulk
  calls `record_deletions` before its DELETE. Rows that a foreign key's ON DELETE CASCADE / SET NULL changes
  are stamped the same way by the service that deletes the parent (budgets of a deleted category, entries
  of a deleted user's ledgers).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, event, func, insert, literal, select, update
from sqlalchemy.orm import Session

from ledger.database import rowcount, utcnow
from ledger.extensions import db
from ledger.feed.models import ChangeFeed, ChangeTombstone
from ledger.ledgers.models import Ledger

_ledgers = cast(Table, Ledger.__table__)


def _take(connection: Any, ledger_id: int, count: int) -> int:
    """Hand out `count` numbers of the ledger (locking its row): the first of them."""
    last = connection.execute(update(_ledgers).where(_ledgers.c.id == ledger_id)
                              .values(change_seq=_ledgers.c.change_seq + count)
                              .returning(_ledgers.c.change_seq)).scalar_one()
    db.session.info.setdefault(_LOCKED, set()).add(ledger_id)
    return int(last) - count + 1


_LOCKED = "ledger.feed.locked"


def holds_ledger_lock(ledger_id: int) -> bool:
    """Whether this transaction has already written the ledger's row (taken numbers): it holds its lock until
    the end, so another lock of that row (ledger.ledgers.totals) is a wasted statement."""
    return ledger_id in db.session.info.get(_LOCKED, ())


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session: Session, transaction: Any) -> None:
    # The real transaction, or a savepoint (rolling back to one releases the locks taken after it); not the
    # internal subtransaction of a flush.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_LOCKED, None)


def next_seqs(ledger_id: int, count: int) -> int:
    """In the caller's transaction: reserve `count` change_seq numbers of the ledger; the first of them (the
    rows of a bulk INSERT take first, first + 1, ...)."""
    return _take(db.session.connection(), ledger_id, count)


def bulk_update(model: type[ChangeFeed], ledger_id: int, *conditions: ColumnElement[bool],
                values: dict[str, Any]) -> int:
    """UPDATE the ledger's rows of `model` matching `conditions` with `values`, each row stamped with its own
    number; in the caller's transaction. Returns how many rows changed. Three statements: lock the ledger's
    row, the UPDATE (numbering the rows by id), hand out as many numbers as rows changed."""
    table = model.__table__  # type: ignore[attr-defined]
    connection = db.session.connection()
    base = _take(connection, ledger_id, 0) - 1  # locks: no other writer of the ledger until the commit
    numbered = select(table.c.id, func.row_number().over(order_by=table.c.id).label("n")) \
        .where(table.c.ledger_id == ledger_id, *conditions).subquery("numbered")
    changed = rowcount(connection.execute(
        update(table).where(table.c.id == numbered.c.id).values(**values, change_seq=base + numbered.c.n)))
    if changed:
        _take(connection, ledger_id, changed)
    return changed


def record_deletions(model: type[ChangeFeed], ledger_id: int, *conditions: ColumnElement[bool]) -> int:
    """Before a bulk DELETE (or one done by a cascade) of the ledger's rows of `model` matching `conditions`:
    a tombstone for each, with its own number. Returns how many."""
    table = model.__table__  # type: ignore[attr-defined]
    tombstones = cast(Table, ChangeTombstone.__table__)
    connection = db.session.connection()
    base = _take(connection, ledger_id, 0) - 1
    rows = select(literal(ledger_id), literal(model.__change_feed__), table.c.id,
                  base + func.row_number().over(order_by=table.c.id),
                  literal(utcnow(), ChangeTombstone.deleted_at.type)) \
        .where(table.c.ledger_id == ledger_id, *conditions)
    # Counted from RETURNING: an INSERT ... SELECT's rowcount is -1 on PostgreSQL (psycopg) here.
    added = len(connection.execute(insert(tombstones).from_select(
        ["ledger_id", "kind", "row_id", "change_seq", "deleted_at"], rows).returning(tombstones.c.id)).all())
    if added:
        _take(connection, ledger_id, added)
    return added


@event.listens_for(Session, "before_flush")
def _stamp_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Number every feed row this flush inserts, changes or deletes: one UPDATE of each ledger involved (in
    ledger id order, so two transactions never wait on each other's ledgers crosswise)."""
    changed: dict[int, list[ChangeFeed]] = defaultdict(list)
    deleted: dict[int, list[ChangeFeed]] = defaultdict(list)
    for obj in session.new:
        if isinstance(obj, ChangeFeed):
            changed[obj.ledger_id].append(obj)  # type: ignore[attr-defined]
    for obj in session.dirty:
        if isinstance(obj, ChangeFeed) and session.is_modified(obj, include_collections=False):
            changed[obj.ledger_id].append(obj)  # type: ignore[attr-defined]
    for obj in session.deleted:
        if isinstance(obj, ChangeFeed):
            deleted[obj.ledger_id].append(obj)  # type: ignore[attr-defined]
    if not changed and not deleted:
        return
    connection = session.connection()
    now = utcnow()
    for ledger_id in sorted(set(changed) | set(deleted)):
        rows, gone = changed.get(ledger_id, []), deleted.get(ledger_id, [])
        seq = _take(connection, ledger_id, len(rows) + len(gone))
        for obj in rows:
            obj.change_seq = seq
            seq += 1
        for obj in gone:
            session.add(ChangeTombstone(ledger_id=ledger_id, kind=obj.__change_feed__,
                                        row_id=obj.id, change_seq=seq, deleted_at=now))  # type: ignore[attr-defined]
            seq += 1
