"""Accounts and their balances; every query is scoped by ledger_id in SQL."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, case, delete, or_, select, union_all
from sqlalchemy.sql.selectable import Subquery

from ledger.accounts.models import Account
from ledger.cards.billing import CARD_TYPE, DEFAULT_BILLING, Billing, period_error
from ledger.entries.models import Entry
from ledger.errors import Conflict, NotFound, ValidationFailed
from ledger.extensions import db
from ledger.feed.stamp import record_deletions
from ledger.ledgers.totals import check_totals
from ledger.money import exact_sum, from_parts


@dataclass(frozen=True)
class AccountView:
    """An account as the API shows it, with its computed balance."""

    id: int
    name: str
    type: str
    opening_balance: int
    balance: int
    archived: bool
    created_at: datetime
    billing: Billing | None  # a credit card's cycle (its own or the default), None for other types

    @classmethod
    def of(cls, account: Account, balance: int) -> AccountView:
        return cls(id=account.id, name=account.name, type=account.type, opening_balance=account.opening_balance,
                   balance=balance, archived=account.archived, created_at=account.created_at,
                   billing=billing_of(account))


BILLING_FIELDS = ("payment_day", "usage_start_day", "usage_month_offset")


def billing_of(account: Account) -> Billing | None:
    """A credit card's billing settings, each unset one from the default cycle; None for other account types."""
    if account.type != CARD_TYPE:
        return None
    stored = {field: getattr(account, field) for field in BILLING_FIELDS}
    return replace(DEFAULT_BILLING, **{field: value for field, value in stored.items() if value is not None})


def _set_billing(account: Account, changes: dict) -> None:
    """Apply the billing fields of a PATCH: 422 on the field for an account that is not a credit card, or for a
    cycle whose usage period would not end before its payment date."""
    sent = [field for field in BILLING_FIELDS if field in changes]
    if not sent:
        return
    current = billing_of(account)
    if current is None:
        raise ValidationFailed(errors={field: ["Only a credit_card account has billing settings."] for field in sent})
    billing = replace(current, **{field: changes[field] for field in sent})
    problem = period_error(billing)
    if problem is not None:
        raise ValidationFailed(errors={"payment_day": [problem]})
    for field in BILLING_FIELDS:
        setattr(account, field, getattr(billing, field))


def _entry_totals(ledger_id: int, account_id: int | None, account_ids: Sequence[int] = ()) -> Subquery:
    """(account_id, high, low): the net effect of the ledger's entries on each account, as an exact sum in two
    parts (money.exact_sum; a plain SUM overflows on SQLite past 2^63).

    An entry moves money on its account_id (income +, expense and transfer -) and, for a transfer,
    on its to_account_id (+); UNION ALL turns both sides into rows so that one GROUP BY sums them.
    """
    outgoing = select(Entry.account_id.label("account_id"),
                      case((Entry.type == "income", Entry.amount), else_=-Entry.amount).label("delta")) \
        .where(Entry.ledger_id == ledger_id)
    incoming = select(Entry.to_account_id, Entry.amount) \
        .where(Entry.ledger_id == ledger_id, Entry.type == "transfer", Entry.to_account_id.is_not(None))
    if account_id is not None:
        outgoing = outgoing.where(Entry.account_id == account_id)
        incoming = incoming.where(Entry.to_account_id == account_id)
    if account_ids:
        outgoing = outgoing.where(Entry.account_id.in_(account_ids))
        incoming = incoming.where(Entry.to_account_id.in_(account_ids))
    moves = union_all(outgoing, incoming).subquery("moves")
    # A negative delta splits into a high and a low part of its sign (integer division and % truncate in both
    # databases), which still add up to it.
    high, low = exact_sum(moves.c.delta)
    return select(moves.c.account_id, high.label("high"), low.label("low")) \
        .group_by(moves.c.account_id).subquery("totals")


def _with_balances(ledger_id: int, account_id: int | None = None) -> Select[Account, int | None, int | None]:
    """One statement: the ledger's accounts (or one of them) with the two parts of their entries' sum."""
    totals = _entry_totals(ledger_id, account_id)
    stmt = select(Account, totals.c.high, totals.c.low).outerjoin(totals, totals.c.account_id == Account.id) \
        .where(Account.ledger_id == ledger_id)
    if account_id is not None:
        stmt = stmt.where(Account.id == account_id)
    return stmt


def views_of(ledger_id: int, accounts: Sequence[Account]) -> list[AccountView]:
    """These accounts of the ledger (already loaded, e.g. by the change feed) with their balances, in order:
    one statement that sums only their entries."""
    if not accounts:
        return []
    ids = [account.id for account in accounts]
    totals = _entry_totals(ledger_id, None, ids)
    sums = {account_id: (high, low) for account_id, high, low in db.session.execute(
        select(totals.c.account_id, totals.c.high, totals.c.low).where(totals.c.account_id.in_(ids)))}
    return [AccountView.of(account, _balance(account, *sums.get(account.id, (None, None)))) for account in accounts]


def _balance(account: Account, high: int | Decimal | None, low: int | Decimal | None) -> int:
    return account.opening_balance + from_parts(high, low)


def list_accounts(ledger_id: int) -> list[AccountView]:
    """Every account of the user, by id, with balances computed in a single statement."""
    rows = db.session.execute(_with_balances(ledger_id).order_by(Account.id)).all()
    return [AccountView.of(account, _balance(account, high, low)) for account, high, low in rows]


def _load(ledger_id: int, account_id: int) -> tuple[Account, int]:
    row = db.session.execute(_with_balances(ledger_id, account_id)).one_or_none()
    if row is None:
        raise NotFound("No such account.")
    account, high, low = row
    return account, _balance(account, high, low)


def get_account(ledger_id: int, account_id: int) -> AccountView:
    """One account of the user with its balance; another user's account is NotFound."""
    return AccountView.of(*_load(ledger_id, account_id))


def _check_name_free(ledger_id: int, name: str, except_id: int | None = None) -> None:
    stmt = select(Account.id).where(Account.ledger_id == ledger_id, Account.name == name)
    if except_id is not None:
        stmt = stmt.where(Account.id != except_id)
    if db.session.execute(stmt.limit(1)).first() is not None:
        raise Conflict(f"An account named {name!r} already exists.")


def create_account(ledger_id: int, name: str, type: str, opening_balance: int = 0) -> AccountView:
    """Create an account; its name must be unique among the ledger's accounts."""
    _check_name_free(ledger_id, name)
    account = Account(ledger_id=ledger_id, name=name, type=type, opening_balance=opening_balance, archived=False)
    db.session.add(account)
    db.session.flush()  # a racing duplicate name fails here as IntegrityError → 409
    if opening_balance:
        check_totals(ledger_id)
    db.session.commit()
    return AccountView.of(account, opening_balance)


def accounts_by_name(ledger_id: int) -> dict[str, tuple[int, bool]]:
    """The ledger's accounts as name → (id, archived), in one statement: what names are resolved against."""
    return {name: (account_id, archived) for account_id, name, archived in db.session.execute(
        select(Account.id, Account.name, Account.archived).where(Account.ledger_id == ledger_id))}


def add_accounts(ledger_id: int, names: Sequence[str], type: str) -> dict[str, int]:
    """Create accounts that the ledger does not have yet, in the caller's transaction: name → new id.

    Flushed, not committed (the caller's write is all or nothing). As in create_account, a name taken
    meanwhile fails the flush: IntegrityError → 409.
    """
    accounts = [Account(ledger_id=ledger_id, name=name, type=type, opening_balance=0, archived=False)
                for name in names]
    db.session.add_all(accounts)
    db.session.flush()
    return {account.name: account.id for account in accounts}


def update_account(ledger_id: int, account_id: int, changes: dict) -> AccountView:
    """Rename and/or (un)archive an account; a credit card's billing settings change too."""
    account, balance = _load(ledger_id, account_id)
    name = changes.get("name")
    if name is not None and name != account.name:
        _check_name_free(ledger_id, name, except_id=account.id)
        account.name = name
    if "archived" in changes:
        account.archived = changes["archived"]
    _set_billing(account, changes)
    db.session.commit()
    return AccountView.of(account, balance)


def delete_account(ledger_id: int, account_id: int) -> None:
    """Delete an account that no entry uses (as account_id or to_account_id)."""
    found = db.session.execute(select(Account.id).where(Account.ledger_id == ledger_id, Account.id == account_id))
    if found.first() is None:
        raise NotFound("No such account.")
    in_use = db.session.execute(
        select(Entry.id).where(Entry.ledger_id == ledger_id,
                               or_(Entry.account_id == account_id, Entry.to_account_id == account_id)).limit(1)
    ).first()
    if in_use is not None:
        raise Conflict("Entries still use this account; delete or move them first.")
    # A concurrent new entry makes the foreign key fail: IntegrityError → 409 (and the tombstone goes too).
    record_deletions(Account, ledger_id, Account.id == account_id)
    db.session.execute(delete(Account).where(Account.ledger_id == ledger_id, Account.id == account_id))
    db.session.commit()
