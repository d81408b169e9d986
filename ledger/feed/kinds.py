"""How the change feed serialises each kind's rows: with the feature's own response schema.

A table that joins the feed (ledger.feed.models.ChangeFeed) adds its kind here: a function from the request's
ledger and the page's rows (ORM objects, in seq order) to their response bodies, in a bounded number of
statements (not one per row).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from marshmallow import Schema

from ledger.accounts.schemas import AccountSchema
from ledger.accounts.services import views_of
from ledger.budgets.schemas import BudgetRowSchema
from ledger.categories.schemas import CategorySchema
from ledger.entries.schemas import EntrySchema
from ledger.entries.services import with_currency
from ledger.ledgers.access import LedgerScope

Dump = Callable[[LedgerScope, Sequence[Any]], list[dict[str, Any]]]


def _plain(schema: Schema) -> Dump:
    return lambda ledger, rows: schema.dump(rows, many=True)


def _entries(ledger: LedgerScope, rows: Sequence[Any]) -> list[dict[str, Any]]:
    return EntrySchema().dump(with_currency(list(rows), ledger.currency), many=True)  # tags: one selectin


def _accounts(ledger: LedgerScope, rows: Sequence[Any]) -> list[dict[str, Any]]:
    # The balance as of this answer; a change of an entry does not change its account's row, so a client
    # that keeps accounts from the feed computes balances from opening_balance and the entries it holds.
    return AccountSchema().dump(views_of(ledger.id, rows), many=True)


# kind → (its response schema, for the OpenAPI document; how to dump a page's rows)
KINDS: dict[str, tuple[type[Schema], Dump]] = {
    "accounts": (AccountSchema, _accounts),
    "categories": (CategorySchema, _plain(CategorySchema())),
    "entries": (EntrySchema, _entries),
    "budgets": (BudgetRowSchema, _plain(BudgetRowSchema())),
}
