"""The billing cycle of a card, as pure functions: which usage period a statement covers, when it is paid, and
how an installment purchase splits into monthly portions. No database here.

A statement is named by the month its payment falls in (M). It covers the usage period from day S
(usage_start_day) of month M - k (usage_month_offset) to the day before day S of month M - k + 1, and is paid on
payment_day of month M. Days past a month's end are clamped to its last day (payment day 31 in February is the
28th or 29th). S = 1, k = 1 is "the 1st to the end of the previous month"; S = 13, k = 1 is "the 13th of the
previous month to the 12th of this one". Consecutive periods touch: each ends the day before the next begins.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.months import shift

CARD_TYPE = "credit_card"  # a debit card's purchases leave the bank at once: no billing cycle
INSTALLMENT_MAX = 36
OFFSET_MAX = 2


@dataclass(frozen=True)
class Billing:
    """A card's billing settings."""

    payment_day: int  # 1..31, clamped to the month's end
    usage_start_day: int  # 1..31, clamped likewise
    usage_month_offset: int  # 1 (전월) or 2 (전전월): months from the usage start back from the payment month


# What a card without settings of its own uses: the 14th, for the previous calendar month.
DEFAULT_BILLING = Billing(14, 1, 1)

# Common issuers: the payment day for which each bills the previous calendar month (전월 1일 ~ 전월 말일), from
# their published tables of payment days and usage periods. A preset only fills the fields; each stays editable
# (e.g. 삼성카드 paid on the 25th bills 전월 13일 ~ 당월 12일: 25, 13, 1).
PRESETS: dict[str, tuple[str, Billing]] = {
    "shinhan": ("신한카드", Billing(14, 1, 1)),
    "samsung": ("삼성카드", Billing(13, 1, 1)),
    "hyundai": ("현대카드", Billing(12, 1, 1)),
    "kb": ("KB국민카드", Billing(14, 1, 1)),
    "lotte": ("롯데카드", Billing(14, 1, 1)),
    "woori": ("우리카드", Billing(14, 1, 1)),
    "hana": ("하나카드", Billing(13, 1, 1)),
    "bc": ("BC카드", Billing(14, 1, 1)),
}


def clamped(year: int, month: int, day: int) -> date:
    """Day `day` of the month, or its last day when the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def payment_date(billing: Billing, year: int, month: int) -> date:
    """When the statement of (year, month) is paid."""
    return clamped(year, month, billing.payment_day)


def _period_start(billing: Billing, year: int, month: int) -> date:
    return clamped(*shift(year, month, -billing.usage_month_offset), billing.usage_start_day)


def usage_period(billing: Billing, year: int, month: int) -> tuple[date, date]:
    """First and last day (inclusive) of the usage billed by the statement paid in (year, month)."""
    return _period_start(billing, year, month), _period_start(billing, *shift(year, month, 1)) - timedelta(days=1)


def statement_month(billing: Billing, day: date) -> tuple[int, int]:
    """The statement (its payment month) whose usage period contains `day`."""
    year, month = shift(day.year, day.month, billing.usage_month_offset)
    # The period that starts in day's month, or the one before it when day is before its start.
    if day < _period_start(billing, year, month):
        return shift(year, month, -1)
    return year, month


def period_error(billing: Billing) -> str | None:
    """Why the settings cannot work (a usage period that ends on or after its payment date), else None.

    Checked over the 24 months of a leap year and the next, which covers every shape of month end.
    """
    for index in range(24):
        year, month = shift(2024, 1, index)
        if usage_period(billing, year, month)[1] >= payment_date(billing, year, month):
            return "The payment day must come after the end of the usage period."
    return None


def installment_portions(amount: int, months: int) -> list[int]:
    """An amount split into `months` portions: each later one is amount // months (whole minor units), the
    first takes the remainder too, so the portions add up to the amount exactly."""
    base = amount // months
    return [amount - base * (months - 1)] + [base] * (months - 1)
