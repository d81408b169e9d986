"""The one matcher of rules: does a rule's condition hold for an entry's facts? Pure functions, no database.

Strings compare case-insensitively (ledger.payees.hangul.fold) and only by equality, prefix and substring:
no regular expressions, and every string involved is bounded by the schemas (ledger.rules.schemas), so a
comparison costs at most a few hundred character steps.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.payees.hangul import fold

TEXT_FIELDS = ("payee", "imported_payee", "memo")
FIELDS = (*TEXT_FIELDS, "amount", "account")
# Which operators each field takes.
OPERATORS: dict[str, tuple[str, ...]] = {
    **{field: ("is", "contains", "starts_with", "one_of") for field in TEXT_FIELDS},
    "amount": ("is", "one_of", "between"),
    "account": ("is", "one_of"),
}
ALL_OPERATORS = ("is", "contains", "starts_with", "one_of", "between")
ACTION_TYPES = ("set_category", "set_payee", "add_tag", "set_memo")
# The entry field each action writes.
ACTION_FIELDS = {"set_category": "category_id", "set_payee": "payee_id", "add_tag": "tags", "set_memo": "memo"}


def condition_holds(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Whether one condition ({field, operator, value}) holds for `facts`: payee (the payee's name or None),
    imported_payee, memo, amount, account (the account id). A missing text never matches."""
    field, operator, value = condition["field"], condition["operator"], condition["value"]
    actual = facts.get(field)
    if actual is None:
        return False
    if field in TEXT_FIELDS:
        text = fold(actual)
        if operator == "is":
            return text == fold(value)
        if operator == "contains":
            return fold(value) in text
        if operator == "starts_with":
            return text.startswith(fold(value))
        if operator == "one_of":
            return any(text == fold(v) for v in value)
        return False
    if operator == "is":
        return bool(actual == value)
    if operator == "one_of":
        return actual in value
    if operator == "between":
        return bool(value[0] <= actual <= value[1])
    return False


def rule_matches(match: str, conditions: Sequence[Mapping[str, Any]], facts: Mapping[str, Any]) -> bool:
    """match "all": every condition holds; "any": at least one. A rule always has a condition."""
    results = (condition_holds(condition, facts) for condition in conditions)
    return all(results) if match == "all" else any(results)
