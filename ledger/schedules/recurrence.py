"""The recurrence engine: which nominal dates a rule names, and where the weekend policy moves each one.

Every occurrence is computed from the anchor (the rule's start date) and its index, never from the previous
occurrence: monthly on the 31st is Jan 31, Feb 28, Mar 31, ... (clamped to each month's end), not a drift to
the 28th. Pure functions of dates, no database.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice

from ledger.months import shift

FREQUENCIES = ("daily", "weekly", "monthly", "yearly")
WEEKEND_POLICIES = ("as_is", "skip", "before", "after")
WEEK_OF_MONTH = (1, 2, 3, 4, -1)  # -1: the last such weekday of the month
SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class Rule:
    """freq with an interval, anchored at `start`. weekdays (0 = Monday) for weekly (default: the start's);
    for monthly and yearly (in the start's month) one of month_day (clamped to the month's end), last_day, or
    week_of_month + weekday (2nd Wednesday: 2, 2); default: the start's day of the month. `until` (inclusive)
    or `count` (of nominal dates) ends it."""

    freq: str
    start: date
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    month_day: int | None = None
    last_day: bool = False
    week_of_month: int | None = None
    weekday: int | None = None
    until: date | None = None
    count: int | None = None
    weekend: str = "as_is"


@dataclass(frozen=True)
class Occurrence:
    nominal: date  # the date the rule names (the key of posts and skips)
    date: date  # where the weekend policy puts it


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _day_in_month(rule: Rule, year: int, month: int) -> date:
    """The rule's day in this month: last day, nth weekday, or the day of the month clamped to its end."""
    end = _month_end(year, month)
    if rule.last_day:
        return date(year, month, end)
    if rule.week_of_month is not None and rule.weekday is not None:
        if rule.week_of_month == -1:
            last = date(year, month, end)
            return last - timedelta(days=(last.weekday() - rule.weekday) % 7)
        first = date(year, month, 1)
        return first + timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.week_of_month - 1))
    return date(year, month, min(rule.month_day or rule.start.day, end))


def _candidates(rule: Rule) -> Iterator[date]:
    """Nominal dates from the anchor, increasing, unbounded (until year 9999), before until/count."""
    start, step = rule.start, rule.interval
    try:
        if rule.freq == "daily":
            for k in range(0, 10**7):
                yield start + timedelta(days=k * step)
        elif rule.freq == "weekly":
            monday = start - timedelta(days=start.weekday())
            days = sorted(set(rule.weekdays)) or [start.weekday()]
            for k in range(0, 10**7):
                for wd in days:
                    day = monday + timedelta(days=7 * k * step + wd)
                    if day >= start:
                        yield day
        else:
            months = 12 * step if rule.freq == "yearly" else step
            for k in range(0, 10**7):
                year, month = shift(start.year, start.month, k * months)  # from the anchor: no drift
                if year > 9999:
                    return
                day = _day_in_month(rule, year, month)
                if day >= start:
                    yield day
    except OverflowError:  # past date.max
        return


def nominal_dates(rule: Rule) -> Iterator[date]:
    """The rule's nominal dates, strictly increasing, ended by `until` or `count`."""
    dates = _candidates(rule)
    if rule.count is not None:
        dates = islice(dates, rule.count)
    for day in dates:
        if rule.until is not None and day > rule.until:
            return
        yield day


def moved(day: date, policy: str) -> date | None:
    """Where the weekend policy puts a nominal date; None when it is skipped."""
    weekday = day.weekday()
    if weekday < SATURDAY or policy == "as_is":
        return day
    if policy == "skip":
        return None
    try:
        if policy == "before":
            return day - timedelta(days=weekday - 4)  # Saturday -1, Sunday -2: Friday
        return day + timedelta(days=7 - weekday)  # Saturday +2, Sunday +1: Monday
    except OverflowError:
        return day


def always_weekend(rule: Rule) -> bool:
    """Every nominal date of the rule is a Saturday or Sunday (with `skip`, it would have no occurrence)."""
    if rule.freq == "daily":
        return rule.interval % 7 == 0 and rule.start.weekday() >= SATURDAY
    if rule.freq == "weekly":
        return all(d >= SATURDAY for d in (rule.weekdays or (rule.start.weekday(),)))
    return rule.week_of_month is not None and rule.weekday is not None and rule.weekday >= SATURDAY


def occurrences(rule: Rule, *, nominal_from: date | None = None) -> Iterator[Occurrence]:
    """The rule's occurrences (weekend policy applied) with a nominal date on or after `nominal_from`.

    The moved dates never decrease either: a weekend moves at most to the Friday before or the Monday after.
    """
    if rule.weekend == "skip" and always_weekend(rule):
        return  # refused when saved (ScheduleRuleSchema); never a walk to the year 9999
    for day in nominal_dates(rule):
        if nominal_from is not None and day < nominal_from:
            continue
        where = moved(day, rule.weekend)
        if where is not None:
            yield Occurrence(day, where)


def _plus(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def between(rule: Rule, first: date, last: date, *, limit: int) -> list[Occurrence]:
    """The occurrences whose (moved) date lies in [first, last], in order, at most `limit`."""
    found: list[Occurrence] = []
    for occurrence in occurrences(rule, nominal_from=_plus(first, -2)):
        if occurrence.nominal > _plus(last, 2):
            break
        if first <= occurrence.date <= last:
            found.append(occurrence)
            if len(found) >= limit:
                break
    return found
