"""Card statements and what is due: computed from the card's entries on every read (nothing is stored).

Installment portions are computed, not stored: an entry's schedule follows from its amount, its
installment_months and the card's current billing cycle (billing.installment_portions, statement_month), so
editing the entry or the cycle can never leave stale portions behind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from ledger.accounts.models import Account
from ledger.accounts.services import billing_of
from ledger.cards.billing import (
    CARD_TYPE,
    INSTALLMENT_MAX,
    Billing,
    installment_portions,
    payment_date,
    statement_month,
    usage_period,
)
from ledger.entries.models import Entry
from ledger.errors import Conflict, NotFound, ValidationFailed
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.months import format_month, month_count, parse_month, shift


class NotACard(Conflict):
    code = "not_a_card"
    detail = "Only a credit_card account has statements."


@dataclass(frozen=True)
class StatementLine:
    """One charge of a statement: a whole entry, or one portion of an installment purchase."""

    entry_id: int
    occurred_on: date
    type: str
    memo: str
    category_id: int | None
    entry_amount: int
    amount: int  # what this statement bills for it: negative for a refund (income on the card)
    installment_number: int | None
    installment_months: int | None


@dataclass(frozen=True)
class Payment:
    entry_id: int
    occurred_on: date
    from_account_id: int
    amount: int


@dataclass(frozen=True)
class Statement:
    account_id: int
    account_name: str
    month: str
    usage_from: date
    usage_to: date
    payment_date: date
    lines: list[StatementLine]
    total: int
    payments: list[Payment]
    paid: int
    amount_due: int
    currency: str


def _card(ledger_id: int, account_id: int) -> tuple[Account, Billing]:
    account = db.session.execute(
        select(Account).where(Account.ledger_id == ledger_id, Account.id == account_id)).scalar_one_or_none()
    if account is None:
        raise NotFound("No such account.")
    billing = billing_of(account)
    if billing is None:
        raise NotACard(f"The account is a {account.type}; only a {CARD_TYPE} account has statements.")
    return account, billing


def _build(ledger: LedgerScope, account: Account, billing: Billing, year: int, month: int) -> Statement:
    try:
        usage_from, usage_to = usage_period(billing, year, month)
        due_on = payment_date(billing, year, month)
    except ValueError:  # a month at the calendar's edge (0001-01 begins its usage in year 0)
        raise ValidationFailed(errors={"month": ["Month out of range."]}) from None
    # Installments bought up to INSTALLMENT_MAX - 1 statements earlier still bill a portion here.
    first_year, first_month = shift(year, month, -(INSTALLMENT_MAX - 1))
    earliest = usage_period(billing, first_year, first_month)[0] if first_year >= 2 else date.min
    # Columns, not Entry objects: an entry's tags (loaded with it) are not part of a statement.
    charges = db.session.execute(
        select(Entry.id, Entry.occurred_on, Entry.type, Entry.memo, Entry.category_id, Entry.amount,
               Entry.installment_months).where(
            Entry.ledger_id == ledger.id, Entry.account_id == account.id,
            or_(Entry.occurred_on.between(usage_from, usage_to),
                and_(Entry.installment_months.is_not(None), Entry.occurred_on.between(earliest, usage_to))))
        .order_by(Entry.occurred_on, Entry.id))
    # A purchase or a transfer out of the card (a cash advance) adds to the bill; income on it (a refund) lowers it.
    lines = []
    for entry_id, occurred_on, type_, memo, category_id, amount, months in charges:
        number = month_count(statement_month(billing, occurred_on), (year, month))
        if months is None:
            if number == 1:
                charge = -amount if type_ == "income" else amount
                lines.append(StatementLine(entry_id, occurred_on, type_, memo, category_id, amount, charge, None, None))
        elif 1 <= number <= months:
            lines.append(StatementLine(entry_id, occurred_on, type_, memo, category_id, amount,
                                       installment_portions(amount, months)[number - 1], number, months))
    # The payment from the bank is a transfer into the card after the period ends, up to the payment date.
    payments = [Payment(entry_id, occurred_on, from_account_id, amount)
                for entry_id, occurred_on, from_account_id, amount in db.session.execute(
                    select(Entry.id, Entry.occurred_on, Entry.account_id, Entry.amount).where(
                        Entry.ledger_id == ledger.id, Entry.type == "transfer", Entry.to_account_id == account.id,
                        Entry.occurred_on.between(usage_to + timedelta(days=1), due_on))
                    .order_by(Entry.occurred_on, Entry.id))]
    total = sum(line.amount for line in lines)
    paid = sum(payment.amount for payment in payments)
    return Statement(account_id=account.id, account_name=account.name, month=format_month(year, month),
                     usage_from=usage_from, usage_to=usage_to, payment_date=due_on, lines=lines, total=total,
                     payments=payments, paid=paid, amount_due=max(total - paid, 0), currency=ledger.currency)


def statement(ledger: LedgerScope, account_id: int, month: str) -> Statement:
    """The statement of a credit card whose payment date falls in `month` (YYYY-MM): 404 for no such account,
    409 not_a_card for another type. Three statements."""
    account, billing = _card(ledger.id, account_id)
    return _build(ledger, account, billing, *parse_month(month))


def due(ledger: LedgerScope, month: str) -> list[Statement]:
    """The statements paid in `month` of every credit card of the ledger that is not archived, by id
    (1 + 2 statements per card)."""
    year, number = parse_month(month)
    cards = db.session.execute(
        select(Account).where(Account.ledger_id == ledger.id, Account.type == CARD_TYPE, Account.archived.is_(False))
        .order_by(Account.id)).scalars()
    result = []
    for account in cards:
        billing = billing_of(account)
        assert billing is not None  # every row here is a card
        result.append(_build(ledger, account, billing, year, number))
    return result
