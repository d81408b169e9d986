"""Monthly limits per expense category, and what was spent against them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import aliased

from ledger.budgets.models import Budget
from ledger.categories.models import Category
from ledger.entries.effective import entry_effective_lines
from ledger.errors import ValidationFailed
from ledger.extensions import db
from ledger.feed.stamp import next_seqs, record_deletions
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.totals import check_totals
from ledger.money import exact_sum, from_parts
from ledger.months import month_bounds


@dataclass(frozen=True)
class BudgetLine:
    category_id: int
    parent_id: int | None
    amount: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.amount - self.spent


def budget_lines(ledger_id: int, month: str, first: date, last: date) -> list[BudgetLine]:
    """The month's budgets with their spending (category + children), in ONE statement.

    Spending is summed over the effective lines: a split expense counts in each of its lines' categories.
    """
    lines = entry_effective_lines(ledger_id, first, last, ("expense",))
    high, low = exact_sum(lines.c.amount)
    spent = (select(lines.c.category_id, high.label("high"), low.label("low"))
             .group_by(lines.c.category_id)
             .subquery())
    budgeted = aliased(Category)
    member = aliased(Category)  # the budgeted category itself and each of its children
    rows = db.session.execute(
        select(Budget.category_id, budgeted.parent_id, Budget.amount, func.sum(spent.c.high), func.sum(spent.c.low))
        .join(budgeted, and_(budgeted.id == Budget.category_id, budgeted.ledger_id == ledger_id))
        .outerjoin(member, and_(member.ledger_id == ledger_id,
                                or_(member.id == Budget.category_id, member.parent_id == Budget.category_id)))
        .outerjoin(spent, spent.c.category_id == member.id)
        .where(Budget.ledger_id == ledger_id, Budget.month == month)
        .group_by(Budget.id, Budget.category_id, budgeted.parent_id, Budget.amount)
        .order_by(Budget.category_id)
    ).all()
    return [BudgetLine(category_id, parent_id, amount, from_parts(high, low))
            for category_id, parent_id, amount, high, low in rows]


def totals(lines: list[BudgetLine]) -> dict:
    """Sum of the outermost budgeted categories: a child under a budgeted parent is already inside it."""
    budgeted = {line.category_id for line in lines}
    outer = [line for line in lines if line.parent_id is None or line.parent_id not in budgeted]
    amount = sum(line.amount for line in outer)
    spent = sum(line.spent for line in outer)
    return {"amount": amount, "spent": spent, "remaining": amount - spent}


def items(lines: list[BudgetLine]) -> list[dict]:
    """The lines as BudgetItemSchema's items (GET /budgets/{month}, and the monthly report's `budgets`)."""
    return [{"category_id": line.category_id, "amount": line.amount, "spent": line.spent,
             "remaining": line.remaining} for line in lines]


def get_budget(ledger: LedgerScope, month: str) -> dict:
    """The month's limits, what was spent against each, and the totals."""
    first, last = month_bounds(month, ledger.month_start_day)
    lines = budget_lines(ledger.id, month, first, last)
    return {"month": month, "items": items(lines), "total": totals(lines)}


def _check_items(ledger_id: int, items: list[dict]) -> None:
    """Each category once, the ledger's own, of kind expense; errors by item index, like marshmallow's."""
    errors: dict[int, dict] = {}
    seen: set[int] = set()
    for index, item in enumerate(items):
        if item["category_id"] in seen:
            errors[index] = {"category_id": ["This category is already listed in items."]}
        seen.add(item["category_id"])
    kinds: dict[int, str] = {}
    if seen:
        kinds = {category_id: kind for category_id, kind in db.session.execute(
            select(Category.id, Category.kind).where(Category.ledger_id == ledger_id, Category.id.in_(seen)))}
    for index, item in enumerate(items):
        kind = kinds.get(item["category_id"])
        if kind is None:
            errors.setdefault(index, {"category_id": ["No such category."]})
        elif kind != "expense":
            errors.setdefault(index, {"category_id": ["Budgets are for expense categories only."]})
    if errors:
        raise ValidationFailed(errors={"items": {str(index): errors[index] for index in sorted(errors)}})


def set_budget(ledger: LedgerScope, month: str, items: list[dict]) -> dict:
    """Replace the month's whole set of limits in one transaction; a larger set checks the ledger's totals."""
    month_bounds(month, ledger.month_start_day)
    _check_items(ledger.id, items)
    record_deletions(Budget, ledger.id, Budget.month == month)  # the change feed's tombstones
    old = db.session.scalars(delete(Budget).where(Budget.ledger_id == ledger.id, Budget.month == month)
                             .returning(Budget.amount)).all()
    if items:
        seq = next_seqs(ledger.id, len(items))
        db.session.execute(insert(Budget), [{"ledger_id": ledger.id, "month": month, "category_id": item["category_id"],
                                             "amount": item["amount"], "change_seq": seq + index}
                                            for index, item in enumerate(items)])
    if sum(item["amount"] for item in items) > sum(old):
        check_totals(ledger.id)
    db.session.commit()
    return get_budget(ledger, month)


def delete_category_budgets(ledger_id: int, category_id: int) -> None:
    """Before a category is deleted (in its transaction): its budgets, which its foreign key would cascade."""
    record_deletions(Budget, ledger_id, Budget.category_id == category_id)
    db.session.execute(delete(Budget).where(Budget.ledger_id == ledger_id, Budget.category_id == category_id))
