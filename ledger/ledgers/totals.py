"""The rule that keeps every total of a ledger exact: its amounts, added up, stay within MAX_AMOUNT.

The API sends balances and totals as JSON numbers, which a JavaScript client reads exactly only up to 2^53-1.
Rather than check each total a report could show, one bound covers them all: the sum of the absolute
amounts of the ledger's entries and opening balances, plus its largest month of budget limits. Every
balance (and the sum of all balances), every report total (income, expense, net, by category, by day, by
month) and every budget figure (a limit, what was spent, what remains, per item and in total) is at most
that in absolute value. So a write that raises the bound past MAX_AMOUNT is refused, and nothing else has to
be checked when a total is read.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, func, select, true

from ledger.accounts.models import Account
from ledger.budgets.models import Budget
from ledger.entries.models import Entry
from ledger.errors import AmountOutOfRange
from ledger.extensions import db
from ledger.feed.stamp import holds_ledger_lock
from ledger.ledgers.models import Ledger
from ledger.money import MAX_AMOUNT, as_int, exact_sum, from_parts


def amount_bound(ledger_id: int) -> int:
    """Σ entry amounts + Σ |opening balances| + the largest month's Σ budget limits, in ONE statement.

    Entries and accounts are summed in two parts (exact_sum): a ledger written before this rule, or the
    rows a refused import just added, may exceed 64 bits. A month has at most MAX_BUDGET_ITEMS (500) limits
    of at most 2^53-1 each, so its plain SUM stays below 2^62.
    """
    entry_high, entry_low = exact_sum(Entry.amount)
    entries = select(entry_high.label("high"), entry_low.label("low")) \
        .where(Entry.ledger_id == ledger_id).subquery("entries")
    opening_high, opening_low = exact_sum(func.abs(Account.opening_balance, type_=BigInteger))
    accounts = select(opening_high.label("high"), opening_low.label("low")) \
        .where(Account.ledger_id == ledger_id).subquery("accounts")
    months = select(func.sum(Budget.amount).label("amount")) \
        .where(Budget.ledger_id == ledger_id).group_by(Budget.month).subquery("months")
    budgets = select(func.max(months.c.amount).label("amount")).subquery("budgets")
    row = db.session.execute(
        select(entries.c.high, entries.c.low, accounts.c.high, accounts.c.low, budgets.c.amount)
        .select_from(entries).join(accounts, true()).join(budgets, true())
    ).one()
    return from_parts(row[0], row[1]) + from_parts(row[2], row[3]) + as_int(row[4])


def check_totals(ledger_id: int, adding: int = 0) -> None:
    """Refuse a write that takes the ledger's amount bound past MAX_AMOUNT: AmountOutOfRange, rolled back.

    Call it after the write, in its transaction (or, when nothing is written, as for a dry run, with the
    amount the write would add), and only for a write that raises an amount: one that lowers the bound is
    never refused, even in a ledger that passed the limit before this rule. On PostgreSQL the ledger's row is
    locked first (FOR NO KEY UPDATE, which the entries' foreign keys do not wait for), so concurrent writes
    to one ledger are checked one after another, each seeing what the other committed; SQLite lets one
    writer at a time anyway.
    """
    if not holds_ledger_lock(ledger_id):  # the write took the ledger's change-feed numbers: locked already
        db.session.execute(select(Ledger.id).where(Ledger.id == ledger_id).with_for_update(key_share=True))
    if amount_bound(ledger_id) + adding > MAX_AMOUNT:
        db.session.rollback()
        raise AmountOutOfRange(f"This would take a balance or total of the ledger past {MAX_AMOUNT} minor units, "
                               "the largest amount a client can read exactly.")
