"""Monthly dashboard and multi-month trend: exact integer sums, in a fixed number of statements."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, joinedload

from ledger.budgets import services as budgets
from ledger.categories.models import Category
from ledger.entries.effective import COUNTED_TYPES, entry_effective_lines
from ledger.entries.models import Entry
from ledger.entries.services import entry_filters, with_currency
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.money import exact_sum, from_parts
from ledger.months import format_month, month_bounds, month_of, months_between, parse_month

# Transfers move money between accounts: never income, never expense (COUNTED_TYPES).
KIND_ORDER = ("expense", "income")
RECENT_ENTRIES = 5


def _daily_sums(ledger_id: int, first: date, last: date) -> list[tuple[date, str, int]]:
    """(day, "income" | "expense", total) for days with entries, in ONE grouped statement.

    No category here: the effective lines without the category dimension (one row per entry, split or not),
    which PostgreSQL and SQLite answer from the covering index ix_entries_ledger_id_occurred_on_type_amount.
    """
    lines = entry_effective_lines(ledger_id, first, last, COUNTED_TYPES, by_category=False)
    rows = db.session.execute(
        select(lines.c.occurred_on, lines.c.type, *exact_sum(lines.c.amount))
        .group_by(lines.c.occurred_on, lines.c.type)
    ).all()
    return [(day, type_, from_parts(high, low)) for day, type_, high, low in rows]


def _category_rows(ledger_id: int, first: date, last: date, kind_totals: dict[str, int]) -> list[dict]:
    """by_category: top-level rows rolled up, each followed by its children (see MonthlyReportSchema).

    From the effective lines: a split entry counts in each of its lines' categories (count: lines).
    """
    category = aliased(Category)
    parent = aliased(Category)
    lines = entry_effective_lines(ledger_id, first, last, COUNTED_TYPES)
    rows = db.session.execute(
        select(lines.c.type, lines.c.category_id, category.name, category.parent_id, parent.name,
               *exact_sum(lines.c.amount), func.count())
        .select_from(lines)
        .outerjoin(category, and_(category.id == lines.c.category_id, category.ledger_id == ledger_id))
        .outerjoin(parent, and_(parent.id == category.parent_id, parent.ledger_id == ledger_id))
        .group_by(lines.c.type, lines.c.category_id, category.name, category.parent_id, parent.name)
    ).all()

    def row(kind: str, category_id: int | None, name: str | None, parent_id: int | None) -> dict:
        return {"category_id": category_id, "name": name, "parent_id": parent_id, "kind": kind,
                "total": 0, "count": 0}

    tops: dict[tuple[str, int | None], dict] = {}
    children: dict[tuple[str, int | None], list[dict]] = defaultdict(list)
    for kind, category_id, name, parent_id, parent_name, high, low, count in rows:
        total = from_parts(high, low)
        top_id, top_name = (parent_id, parent_name) if parent_id is not None else (category_id, name)
        top = tops.get((kind, top_id))
        if top is None:
            top = tops[(kind, top_id)] = row(kind, top_id, top_name, None)
        if parent_id is None:
            top["name"] = name
        else:
            child = row(kind, category_id, name, parent_id)
            child["total"], child["count"] = total, count
            children[(kind, top_id)].append(child)
        top["total"] += total
        top["count"] += count

    def order(item: dict) -> tuple:
        return -item["total"], item["name"] or "", item["category_id"] or 0

    result: list[dict] = []
    for kind in KIND_ORDER:
        for top in sorted((t for (k, _), t in tops.items() if k == kind), key=order):
            result.append(top)
            result.extend(sorted(children[(kind, top["category_id"])], key=order))
    for item in result:
        whole = kind_totals[item["kind"]]
        item["share"] = round(item["total"] / whole, 4) if whole else 0.0
    return result


def _recent_entries(ledger: LedgerScope, month: str) -> list[Entry]:
    """The month's newest entries as GET /entries?month= lists them, with tags and lines, in ONE statement.

    joinedload, not the relationships' selectin: the tags and split lines come in the same statement
    (SQLAlchemy puts the LIMIT in a subquery), so the report costs the same whether the month has entries or not.
    """
    return with_currency(list(db.session.execute(
        select(Entry).where(*entry_filters(ledger, {"month": month}))
        .order_by(Entry.occurred_on.desc(), Entry.id.desc()).limit(RECENT_ENTRIES)
        .options(joinedload(Entry.tag_rows), joinedload(Entry.line_rows))
    ).unique().scalars()), ledger.currency)


def monthly_report(ledger: LedgerScope, month: str) -> dict:
    """One accounting month: totals, by category (rolled up), every day, budgets, and the newest entries."""
    first, last = month_bounds(month, ledger.month_start_day)
    days = {first + timedelta(days=offset): {"income": 0, "expense": 0} for offset in range((last - first).days + 1)}
    for day, type_, total in _daily_sums(ledger.id, first, last):
        days[day][type_] += total
    income = sum(sums["income"] for sums in days.values())
    expense = sum(sums["expense"] for sums in days.values())
    lines = budgets.budget_lines(ledger.id, month, first, last)
    return {
        "month": month, "from": first, "to": last, "currency": ledger.currency,
        "income": income, "expense": expense, "net": income - expense,
        "by_category": _category_rows(ledger.id, first, last, {"income": income, "expense": expense}),
        "by_day": [{"date": day, **sums} for day, sums in days.items()],
        "budget": budgets.totals(lines) if lines else None,
        "budgets": budgets.items(lines),
        "recent": _recent_entries(ledger, month),
    }


def trend(ledger: LedgerScope, start: str, end: str) -> dict:
    """Income, expense and net per accounting month from `start` to `end`, zeros included.

    One statement grouped by day over the whole range (at most ~3,700 days); the days are bucketed
    into accounting months here, since with month_start_day they are not calendar months.
    """
    first, _ = month_bounds(start, ledger.month_start_day, field="from")
    _, last = month_bounds(end, ledger.month_start_day, field="to")
    buckets = {month: {"income": 0, "expense": 0} for month in months_between(parse_month(start), parse_month(end))}
    start_day = ledger.month_start_day
    for day, type_, total in _daily_sums(ledger.id, first, last):
        buckets[month_of(day, start_day)][type_] += total
    return {"items": [{"month": format_month(*month), "income": sums["income"], "expense": sums["expense"],
                       "net": sums["income"] - sums["expense"]} for month, sums in buckets.items()]}
