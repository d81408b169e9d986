"""Calendar text and accounting months: the one parser of ISO dates and of months, and months that honour the
ledger's month_start_day (payday budgeting).

With month_start_day = 25, "2026-11" runs from 2026-10-25 to 2026-11-24.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from ledger.errors import ValidationFailed

# ASCII digits only (\d would take "２０２６"), and \Z, not $ (which allows a trailing newline).
MONTH_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])\Z")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_SHAPE = "Must be a date as YYYY-MM-DD."


def parse_date(value: str) -> date:
    """'2026-11-01' → date(2026, 11, 1), years 0001..9999; ValueError otherwise.

    Exactly YYYY-MM-DD in ASCII digits (date.fromisoformat alone also takes "20261101" and "2026-W01-1"); the
    error says DATE_SHAPE for another shape and "Not a valid calendar date." for a day that does not exist.
    """
    if not DATE_RE.fullmatch(value):
        raise ValueError(DATE_SHAPE)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("Not a valid calendar date.") from None


def parse_month(value: str) -> tuple[int, int]:
    """'2026-11' → (2026, 11); ValueError otherwise."""
    match = MONTH_RE.match(value or "")
    if not match:
        raise ValueError("Must be a month as YYYY-MM.")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= year <= 9998:
        raise ValueError("Year out of range.")
    return year, month


def checked_month(value: str, field: str = "month") -> str:
    """`value` when it is a month as parse_month reads it, else 422 validation_error on `field`."""
    try:
        parse_month(value)
    except ValueError as error:
        raise ValidationFailed(errors={field: [str(error)]}) from None
    return value


def format_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_range(year: int, month: int, start_day: int = 1) -> tuple[date, date]:
    """First and last day (inclusive) of accounting month (year, month)."""
    if start_day == 1:
        first = date(year, month, 1)
        ny, nm = shift(year, month, 1)
        return first, date(ny, nm, 1) - timedelta(days=1)
    py, pm = shift(year, month, -1)
    return date(py, pm, start_day), date(year, month, start_day) - timedelta(days=1)


def month_of(day: date, start_day: int = 1) -> tuple[int, int]:
    """The accounting month that contains `day`."""
    if start_day == 1 or day.day < start_day:
        return day.year, day.month
    return shift(day.year, day.month, 1)


def month_count(start: tuple[int, int], end: tuple[int, int]) -> int:
    """How many months from start to end, both included (0 or less when end is before start)."""
    return (end[0] * 12 + end[1]) - (start[0] * 12 + start[1]) + 1


def months_between(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """Inclusive list of months from start to end."""
    return [shift(start[0], start[1], i) for i in range(max(month_count(start, end), 0))]


def month_bounds(month: str, start_day: int, field: str = "month") -> tuple[date, date]:
    """First and last day (inclusive) of the accounting month; 422 on `field` when it does not exist."""
    try:
        return month_range(*parse_month(month), start_day)
    except ValueError as error:
        # e.g. "0001-01" with month_start_day 25 would begin in year 0.
        raise ValidationFailed(errors={field: [f"Month out of range: {error}"]}) from None
