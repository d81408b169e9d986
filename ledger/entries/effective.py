"""The ONE place where reports read money by category: an entry's effective lines.

An unsplit entry is one effective line (its own category and amount); a split entry is its lines (each with
the entry's date, type and account). Every report, budget and export that groups or filters by category reads
`entry_effective_lines`, so a split is never missing (its entry has no category) nor counted twice (the entry
and its lines). Totals that have no category dimension (income/expense per day or month) read
`entry_effective_lines(..., by_category=False)`: the entries themselves, since the entries service refuses
lines that do not add up to their entry's amount (so both give the same sums, on the trend's covering index).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import Subquery, exists, literal_column, select, union_all

from ledger.entries.models import Entry, EntryLine
from ledger.extensions import db

COUNTED_TYPES = ("income", "expense")


def has_lines(entry_id_column=Entry.id):
    """`EXISTS (a line of that entry)`: answered from uq_entry_lines_entry_id_position."""
    return exists().where(EntryLine.entry_id == entry_id_column)


def entry_effective_lines(ledger_id: int, first: date | None = None, last: date | None = None,
                          types: Collection[str] = COUNTED_TYPES, *, by_category: bool = True) -> Subquery:
    """The ledger's effective lines of entries of `types` dated first..last (inclusive; None: unbounded).

    Columns: entry_id, occurred_on, type, account_id, category_id (NULL for an entry that has none), amount.
    With by_category=False, category_id is always NULL and each entry is one row of its whole amount.
    """
    conditions = [Entry.ledger_id == ledger_id, Entry.type.in_(tuple(types))]
    if first is not None:
        conditions.append(Entry.occurred_on >= first)
    if last is not None:
        conditions.append(Entry.occurred_on <= last)
    if not by_category:
        return select(Entry.id.label("entry_id"), Entry.occurred_on, Entry.type, Entry.account_id,
                      literal_column("NULL").label("category_id"), Entry.amount.label("amount")) \
            .where(*conditions).subquery("effective_lines")
    columns = (Entry.id.label("entry_id"), Entry.occurred_on, Entry.type, Entry.account_id)
    # An entry with a category is counted by it, never by lines (the service gives a split entry none), so even a
    # row that broke that rule could not be counted twice. The other two branches only look at the month's
    # entries without a category (the split ones, and unsplit ones without a category), and probe their lines
    # through uq_entry_lines_entry_id_position.
    categorised = select(*columns, Entry.category_id.label("category_id"), Entry.amount.label("amount")) \
        .where(*conditions, Entry.category_id.is_not(None))
    uncategorised = select(*columns, Entry.category_id.label("category_id"), Entry.amount.label("amount")) \
        .where(*conditions, Entry.category_id.is_(None), ~has_lines())
    split = select(*columns, EntryLine.category_id.label("category_id"), EntryLine.amount.label("amount")) \
        .join(EntryLine, EntryLine.entry_id == Entry.id) \
        .where(*conditions, Entry.category_id.is_(None), EntryLine.ledger_id == ledger_id)
    return union_all(categorised, uncategorised, split).subquery("effective_lines")


def lines_by_entry(entry_ids: Iterable[int]) -> dict[int, list[EntryLine]]:
    """The lines of these entries (one statement), by entry id, in position order; unsplit entries are absent."""
    ids = list(entry_ids)
    found: dict[int, list[EntryLine]] = {}
    if not ids:
        return found
    for line in db.session.execute(select(EntryLine).where(EntryLine.entry_id.in_(ids))
                                   .order_by(EntryLine.entry_id, EntryLine.position)).scalars():
        found.setdefault(line.entry_id, []).append(line)
    return found
