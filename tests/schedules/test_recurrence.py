"""Properties of the recurrence engine (Hypothesis): strictly increasing, clamped, no drift, bounded, moved."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from itertools import islice

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ledger.schedules.recurrence import Rule, always_weekend, between, moved, nominal_dates, occurrences

TAKE = 40
starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
policies = st.sampled_from(["as_is", "skip", "before", "after"])


def month_end(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


@st.composite
def rules(draw) -> Rule:
    freq = draw(st.sampled_from(["daily", "weekly", "monthly", "yearly"]))
    start = draw(starts)
    kwargs: dict = {"interval": draw(st.integers(1, 14)), "weekend": draw(policies)}
    if freq == "weekly":
        kwargs["weekdays"] = tuple(sorted(draw(st.sets(st.integers(0, 6), max_size=7))))
    elif freq in ("monthly", "yearly"):
        kind = draw(st.sampled_from(["default", "day", "last", "nth"]))
        if kind == "day":
            kwargs["month_day"] = draw(st.integers(1, 31))
        elif kind == "last":
            kwargs["last_day"] = True
        elif kind == "nth":
            kwargs["week_of_month"] = draw(st.sampled_from([1, 2, 3, 4, -1]))
            kwargs["weekday"] = draw(st.integers(0, 6))
    end = draw(st.sampled_from(["never", "until", "count"]))
    if end == "until":
        kwargs["until"] = start + timedelta(days=draw(st.integers(0, 3000)))
    elif end == "count":
        kwargs["count"] = draw(st.integers(1, 30))
    rule = Rule(freq=freq, start=start, **kwargs)
    assume(not (rule.weekend == "skip" and always_weekend(rule)))  # refused when saved (RuleSchema)
    return rule


@settings(max_examples=300)
@given(rules())
def test_nominal_dates_are_strictly_increasing_from_the_start_and_bounded(rule):
    dates = list(islice(nominal_dates(rule), TAKE))

    assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
    assert all(d >= rule.start for d in dates)
    if rule.until is not None:
        assert all(d <= rule.until for d in dates)
    if rule.count is not None and (rule.until is None):
        assert len(dates) == min(rule.count, TAKE)


@settings(max_examples=300)
@given(rules())
def test_every_date_is_computed_from_the_anchor_without_drift(rule):
    dates = list(islice(nominal_dates(rule), TAKE))
    if rule.freq == "daily":
        assert all((d - rule.start).days % rule.interval == 0 for d in dates)
    elif rule.freq == "weekly":
        monday = rule.start - timedelta(days=rule.start.weekday())
        allowed = set(rule.weekdays) or {rule.start.weekday()}
        assert all(d.weekday() in allowed and (d - monday).days // 7 % rule.interval == 0 for d in dates)
    else:
        step = rule.interval * (12 if rule.freq == "yearly" else 1)
        assert all((month_index(d) - month_index(rule.start)) % step == 0 for d in dates)
        for d in dates:
            if rule.last_day:
                assert d.day == month_end(d)
            elif rule.week_of_month == -1:
                assert d.weekday() == rule.weekday and d.day + 7 > month_end(d)
            elif rule.week_of_month is not None:
                assert d.weekday() == rule.weekday and (d.day - 1) // 7 + 1 == rule.week_of_month
            else:
                # Clamped to the month's end, never drifting: 31 -> Feb 28 -> Mar 31.
                assert d.day == min(rule.month_day or rule.start.day, month_end(d))


@given(st.integers(1, 31), starts, st.integers(1, 12))
def test_monthly_on_a_day_never_skips_a_month(day, start, interval):
    rule = Rule(freq="monthly", start=start.replace(day=1), month_day=day, interval=interval)
    dates = list(islice(nominal_dates(rule), 24))

    assert [month_index(b) - month_index(a) for a, b in zip(dates, dates[1:], strict=False)] == [interval] * 23


@settings(max_examples=300)
@given(rules())
def test_the_weekend_policy_moves_at_most_two_days_and_keeps_the_order(rule):
    found = list(islice(occurrences(rule), TAKE))
    for occurrence in found:
        shift = (occurrence.date - occurrence.nominal).days
        if rule.weekend == "as_is":
            assert shift == 0
        elif rule.weekend == "skip":
            assert shift == 0 and occurrence.date.weekday() < 5
        elif rule.weekend == "before":
            assert -2 <= shift <= 0 and occurrence.date.weekday() < 5
        else:
            assert 0 <= shift <= 2 and occurrence.date.weekday() < 5
    assert all(a.date <= b.date for a, b in zip(found, found[1:], strict=False))


@given(rules(), st.integers(0, 400), st.integers(0, 120))
def test_between_finds_exactly_the_occurrences_dated_in_the_range(rule, offset, length):
    first = rule.start + timedelta(days=offset)
    last = first + timedelta(days=length)

    found = between(rule, first, last, limit=1000)

    expected = [o for o in islice(occurrences(rule), 2000) if first <= o.date <= last]
    assert found == expected


def test_the_weekend_moves():
    saturday, sunday = date(2026, 12, 5), date(2026, 12, 6)
    assert [moved(saturday, p) for p in ("as_is", "skip", "before", "after")] == [
        saturday, None, date(2026, 12, 4), date(2026, 12, 7)]
    assert [moved(sunday, p) for p in ("before", "after")] == [date(2026, 12, 4), date(2026, 12, 7)]


def test_a_rule_of_weekends_only_that_skips_weekends_has_no_occurrence():
    rule = Rule(freq="weekly", start=date(2026, 12, 5), weekdays=(5, 6), weekend="skip")
    assert always_weekend(rule) and list(occurrences(rule)) == []


def test_a_rule_ends_at_the_calendars_end():
    assert list(nominal_dates(Rule(freq="yearly", start=date(9998, 3, 1)))) == [date(9998, 3, 1), date(9999, 3, 1)]
    assert list(nominal_dates(Rule(freq="daily", start=date(9999, 12, 30)))) == [date(9999, 12, 30),
                                                                                  date(9999, 12, 31)]
