"""An import's write: the plan's new accounts and categories (through their services), then its entries and
tags in bulk, in one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert

from ledger.accounts.services import add_accounts
from ledger.categories.services import create_missing_categories
from ledger.database import utcnow
from ledger.entries.csv.codec import category_cell, decode_body
from ledger.entries.csv.import_plan import plan_import
from ledger.entries.models import Entry, EntryTag
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


def import_csv(ledger: LedgerScope, body: bytes, *, dry_run: bool = False) -> ImportResult:
    """Import a CSV in the export's format: every row in one transaction, or none (ValidationFailed).

    Unknown accounts are created with type "other", unknown categories with the kind of the row's type
    ("Parent/Child" creates both levels). With dry_run nothing is written; the result says what would be.
    Entries and tags are inserted in bulk, last row first (so exporting the imported entries gives back the
    file's order, ties included).
    """
    plan = plan_import(ledger.id, decode_body(body))
    result = ImportResult(imported=len(plan.rows), created_accounts=list(plan.new_accounts),
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
    # Bottom-up: the export lists ties newest id first, so this keeps their order in the next export.
    rows = plan.rows[::-1]
    now = utcnow()
    seq = next_seqs(ledger.id, len(rows))  # the change feed: one number per entry
    entry_ids = db.session.scalars(
        insert(Entry).returning(Entry.id, sort_by_parameter_order=True),
        [{"ledger_id": ledger.id, "created_by": ledger.user_id, "updated_by": ledger.user_id, "type": row.type,
          "amount": row.amount, "occurred_on": row.occurred_on,
          "account_id": account_ids[row.account],
          "to_account_id": account_ids[row.to_account] if row.to_account else None,
          "category_id": _category_id(plan.categories.find(row.type, row.category)) if row.category else None,
          "memo": row.memo, "version": 1, "created_at": now, "updated_at": now, "change_seq": seq + index}
         for index, row in enumerate(rows)],
    ).all()
    tags = [{"entry_id": entry_id, "tag": tag} for entry_id, row in zip(entry_ids, rows, strict=True)
            for tag in row.tags]
    if tags:
        db.session.execute(insert(EntryTag), tags)
    check_totals(ledger.id)
    db.session.commit()
    return result
