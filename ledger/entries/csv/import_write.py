"""An import's write: the plan's new accounts and categories (through their services), then its entries and
tags in bulk, in one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from ledger.accounts.services import add_accounts
from ledger.categories.services import create_missing_categories
from ledger.database import utcnow
from ledger.entries.csv.codec import category_cell, decode_body
from ledger.entries.csv.import_plan import ImportRow, plan_import
from ledger.entries.models import Entry, EntryLine, EntryTag
from ledger.extensions import db
from ledger.feed.stamp import next_seqs
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.totals import check_totals


@dataclass
class ImportResult:
    imported: int
    created_accounts: list[str]
    created_categories: list[str]
    dry_run: bool


def _category_id(found: tuple[int, bool] | None) -> int:
    """The id of a category the plan found or create_missing_categories has just added."""
    if found is None:
        raise LookupError("the import's plan lost a category it had resolved")
    return found[0]


def _with_rules(ledger_id: int, values: list[dict[str, Any]], split: set[int]) -> list[dict[str, Any]]:
    """The ledger's rules over the rows (ledger.rules): a cell the file fills counts as set by hand, and a split
    entry's category (its lines carry the categories) is never set by a rule."""
    from ledger.rules.services import RuleRunner

    runner = RuleRunner(ledger_id)
    if not runner.rules:
        return values
    fixed = {"type", "amount", "occurred_on", "account_id", "to_account_id"}

    def hand_set(index: int, row: dict[str, Any]) -> set[str]:
        filled = {"memo": bool(row["memo"]), "tags": bool(row["tags"]),
                  "category_id": row["category_id"] is not None or row["type"] == "transfer" or index in split}
        return fixed | {name for name, has in filled.items() if has}

    return [runner.apply(row, hand_set(index, row)) for index, row in enumerate(values)]


def import_csv(ledger: LedgerScope, body: bytes, *, dry_run: bool = False) -> ImportResult:
    """Import a CSV in the export's format: every row in one transaction, or none (ValidationFailed).

    Unknown accounts are created with type "other", unknown categories with the kind of the row's type
    ("Parent/Child" creates both levels). With dry_run nothing is written; the result says what would be.
    A split group (rows sharing split_group) becomes one split entry with a line per row, the plan having
    checked it as POST /entries checks lines. `imported` counts entries (a split group once).
    Entries, tags and lines are inserted in bulk, last entry first (so exporting the imported entries gives back the
    file's order, ties included).
    """
    plan = plan_import(ledger.id, decode_body(body))
    entries = _entries_of(plan.rows)
    result = ImportResult(imported=len(entries), created_accounts=list(plan.new_accounts),
                          created_categories=[category_cell(path) for _, path in plan.categories.missing],
                          dry_run=dry_run)
    if not plan.rows:
        return result
    if dry_run:
        check_totals(ledger.id, adding=sum(row.amount for row in plan.rows))  # what the import would add
        return result
    account_ids = {name: account_id for name, (account_id, _) in plan.accounts.items()}
    account_ids.update(add_accounts(ledger.id, plan.new_accounts, "other"))
    create_missing_categories(ledger.id, plan.categories)

    def category_id(row: ImportRow) -> int | None:
        return _category_id(plan.categories.find(row.type, row.category)) if row.category else None

    # Bottom-up: the export lists ties newest id first, so this keeps their order in the next export.
    entries = entries[::-1]
    now = utcnow()
    values: list[dict[str, Any]] = [
        {"ledger_id": ledger.id, "created_by": ledger.user_id, "updated_by": ledger.user_id, "type": first.type,
         "amount": first.total if first.group else first.amount, "occurred_on": first.occurred_on,
         "account_id": account_ids[first.account],
         "to_account_id": account_ids[first.to_account] if first.to_account else None,
         "category_id": None if first.group else category_id(first),
         "memo": first.entry_memo if first.group else first.memo, "tags": first.tags, "version": 1,
         "created_at": now, "updated_at": now}
        for first, _ in entries]
    values = _with_rules(ledger.id, values, split={index for index, (_, rows) in enumerate(entries) if rows})
    seq = next_seqs(ledger.id, len(values))  # the change feed: one number per entry
    for index, row in enumerate(values):
        row["change_seq"] = seq + index
    entry_ids = db.session.scalars(
        insert(Entry).returning(Entry.id, sort_by_parameter_order=True),
        [{k: v for k, v in row.items() if k != "tags"} for row in values],
    ).all()
    tags = [{"entry_id": entry_id, "tag": tag} for entry_id, row in zip(entry_ids, values, strict=True)
            for tag in row["tags"]]
    if tags:
        db.session.execute(insert(EntryTag), tags)
    lines = [{"ledger_id": ledger.id, "entry_id": entry_id, "position": position, "amount": row.amount,
              "category_id": category_id(row), "memo": row.memo}
             for entry_id, (_, rows) in zip(entry_ids, entries, strict=True) if rows
             for position, row in enumerate(rows)]
    if lines:
        db.session.execute(insert(EntryLine), lines)
    check_totals(ledger.id)
    db.session.commit()
    return result


def _entries_of(rows: list[ImportRow]) -> list[tuple[ImportRow, list[ImportRow]]]:
    """The file's entries in file order: (its row, []) for a plain row, (its first row, every row) for a split
    group (checked by the plan: 2..50 rows agreeing on the entry's fields, amounts adding up to its total)."""
    entries: list[tuple[ImportRow, list[ImportRow]]] = []
    groups: dict[str, list[ImportRow]] = {}
    for row in rows:
        if row.group is None:
            entries.append((row, []))
        elif row.group in groups:
            groups[row.group].append(row)
        else:
            groups[row.group] = [row]
            entries.append((row, groups[row.group]))
    return entries
