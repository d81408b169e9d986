"""The export query: the ledger's entries as CSV chunks, read in keyset batches."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from sqlalchemy import ColumnElement, select

from ledger.accounts.models import Account
from ledger.categories.models import Category
from ledger.entries.csv.codec import BOM, HEADER, TAG_SEPARATOR, category_cell, escape_formula, join_escaped
from ledger.entries.effective import lines_by_entry
from ledger.entries.models import Entry, EntryTag
from ledger.entries.services import after_position
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope

# Rows fetched per export query: the export's memory does not grow with the number of entries.
EXPORT_BATCH_SIZE = 1000


def _category_paths(ledger_id: int) -> dict[int, tuple[str, ...]]:
    rows = db.session.execute(select(Category.id, Category.name, Category.parent_id)
                              .where(Category.ledger_id == ledger_id)).all()
    names = {row.id: row.name for row in rows}
    return {row.id: (names[row.parent_id], row.name) if row.parent_id else (row.name,) for row in rows}


def _tags_by_entry(entry_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    rows = db.session.execute(select(EntryTag.entry_id, EntryTag.tag).where(EntryTag.entry_id.in_(entry_ids))
                              .order_by(EntryTag.entry_id, EntryTag.tag))
    for entry_id, tag in rows:
        tags.setdefault(entry_id, []).append(tag)
    return tags


def export_csv(ledger: LedgerScope, conditions: list[ColumnElement[bool]]) -> Iterator[bytes]:
    """The ledger's entries matching `conditions` as CSV chunks (BOM and header first), newest first.

    Reads EXPORT_BATCH_SIZE entries per query, keyset-paginated on (occurred_on, id), so memory and the
    number of statements per row stay constant: 2 lookups, then 3 queries (entries, tags, split lines) per batch.
    A split entry is one row per line (its effective lines, as the reports count them): the line's category,
    amount and memo, with split_group (the entry's id), split_total and split_memo (the entry's amount and memo).
    """
    accounts = dict(db.session.execute(select(Account.id, Account.name).where(Account.ledger_id == ledger.id)).all())
    categories = _category_paths(ledger.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield (BOM + buffer.getvalue()).encode()

    base = (select(Entry.id, Entry.occurred_on, Entry.type, Entry.account_id, Entry.to_account_id,
                   Entry.category_id, Entry.amount, Entry.memo)
            .where(Entry.ledger_id == ledger.id, *conditions)
            .order_by(Entry.occurred_on.desc(), Entry.id.desc())
            .limit(EXPORT_BATCH_SIZE))
    after: tuple[date, int] | None = None
    while True:
        query = base if after is None else base.where(after_position(*after))
        rows = db.session.execute(query).all()
        if not rows:
            return
        tags = _tags_by_entry([row.id for row in rows])
        lines = lines_by_entry(row.id for row in rows if row.category_id is None and row.type != "transfer")
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            common = (row.occurred_on.isoformat(), row.type, escape_formula(accounts[row.account_id]),
                      escape_formula(accounts[row.to_account_id]) if row.to_account_id else "")
            row_tags = escape_formula(join_escaped(tags.get(row.id, []), TAG_SEPARATOR))
            if row.id in lines:
                writer.writerows((*common, escape_formula(category_cell(categories[line.category_id])),
                                  str(line.amount), escape_formula(line.memo or ""), row_tags,
                                  str(row.id), str(row.amount), escape_formula(row.memo or ""))
                                 for line in lines[row.id])
                continue
            writer.writerow((
                *common,
                escape_formula(category_cell(categories[row.category_id])) if row.category_id else "",
                str(row.amount),
                escape_formula(row.memo or ""),
                row_tags, "", "", "",
            ))
        yield buffer.getvalue().encode()
        if len(rows) < EXPORT_BATCH_SIZE:
            return
        after = (rows[-1].occurred_on, rows[-1].id)
