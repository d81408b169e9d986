"""Rules: CRUD and order, the run on entry create (apply_rules_on_create, called by entries.services), and the
preview and apply of one rule over existing entries (through the entries service).

Rules run in `position` order. For each field, the first matching rule that sets it wins; add_tag adds up.
Every rule is evaluated against the entry as the earlier rules left it (a set_payee can feed a payee
condition below it). A field the person set by hand is never touched.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from ledger.accounts.models import Account
from ledger.categories.models import Category
from ledger.database import is_id, utcnow
from ledger.entries.models import Entry
from ledger.entries.schemas import TAGS_MAX
from ledger.errors import NotFound, PreconditionFailed, ValidationFailed
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.payees import hangul
from ledger.payees.models import Payee
from ledger.rules.engine import ACTION_FIELDS, condition_holds, rule_matches
from ledger.rules.models import Rule
from ledger.rules.schemas import PREVIEW_MAX, RULES_MAX

NO_SUCH_RULE = "No such rule."

PREVIEW_BATCH = 500  # entries a preview reads per statement


def list_rules(ledger_id: int) -> list[Rule]:
    return list(db.session.execute(
        select(Rule).where(Rule.ledger_id == ledger_id).order_by(Rule.position, Rule.id)).scalars())


def get_rule(ledger_id: int, rule_id: int) -> Rule:
    rule = None
    if is_id(rule_id):
        rule = db.session.execute(
            select(Rule).where(Rule.ledger_id == ledger_id, Rule.id == rule_id)).scalar_one_or_none()
    if rule is None:
        raise NotFound(NO_SUCH_RULE)
    return rule


def _check_refs(ledger_id: int, conditions: list[dict], actions: list[dict]) -> None:
    """422 naming conditions.N.value / actions.N.value for an account, category or payee not of the ledger."""
    errors: dict[str, dict[int, dict[str, list[str]]]] = {}
    accounts = set(db.session.execute(select(Account.id).where(Account.ledger_id == ledger_id)).scalars())
    for index, condition in enumerate(conditions):
        if condition["field"] == "account":
            wanted = condition["value"] if isinstance(condition["value"], list) else [condition["value"]]
            if not set(wanted) <= accounts:
                errors.setdefault("conditions", {})[index] = {"value": ["No such account."]}
    for index, action in enumerate(actions):
        if action["type"] == "set_category":
            row = db.session.execute(select(Category.archived).where(
                Category.ledger_id == ledger_id, Category.id == action["value"])).first()
            if row is None or row[0]:
                message = "No such category." if row is None else "The category is archived."
                errors.setdefault("actions", {})[index] = {"value": [message]}
        elif action["type"] == "set_payee":
            row = db.session.execute(select(Payee.archived).where(
                Payee.ledger_id == ledger_id, Payee.id == action["value"])).first()
            if row is None or row[0]:
                message = "No such payee." if row is None else "The payee is archived."
                errors.setdefault("actions", {})[index] = {"value": [message]}
    if errors:
        raise ValidationFailed(errors=errors)


def create_rule(ledger_id: int, data: Mapping[str, Any]) -> Rule:
    _check_refs(ledger_id, data["conditions"], data["actions"])
    count, last = db.session.execute(select(func.count(), func.coalesce(func.max(Rule.position), 0))
                                     .where(Rule.ledger_id == ledger_id)).one()
    if count >= RULES_MAX:
        raise ValidationFailed(f"A ledger has at most {RULES_MAX} rules.",
                               errors={"_schema": [f"A ledger has at most {RULES_MAX} rules."]})
    rule = Rule(ledger_id=ledger_id, position=last + 1, name=data.get("name") or "",
                match=data.get("match") or "all", conditions=data["conditions"], actions=data["actions"])
    db.session.add(rule)
    db.session.commit()
    return rule


def update_rule(ledger_id: int, rule_id: int, changes: Mapping[str, Any]) -> Rule:
    rule = get_rule(ledger_id, rule_id)
    _check_refs(ledger_id, changes.get("conditions", []), changes.get("actions", []))
    for name in ("name", "match", "conditions", "actions"):
        if name in changes and changes[name] is not None:
            setattr(rule, name, changes[name])
    rule.updated_at = utcnow()
    db.session.commit()
    return rule


def delete_rule(ledger_id: int, rule_id: int) -> None:
    db.session.delete(get_rule(ledger_id, rule_id))
    db.session.commit()


def reorder_rules(ledger_id: int, rule_ids: list[int]) -> list[Rule]:
    """Put the ledger's rules in the order of `rule_ids`, which must name each of them exactly once (422)."""
    rules = {rule.id: rule for rule in list_rules(ledger_id)}
    if len(rule_ids) != len(set(rule_ids)) or set(rule_ids) != set(rules):
        raise ValidationFailed(errors={"rule_ids": ["Must list every rule of the ledger exactly once."]})
    for position, rule_id in enumerate(rule_ids, start=1):
        rules[rule_id].position = position
    db.session.commit()
    return list_rules(ledger_id)


def replace_payee(ledger_id: int, from_id: int, to_id: int) -> None:
    """Rules that set payee `from_id` set `to_id` instead (a merge); the caller commits."""
    for rule in list_rules(ledger_id):
        if any(a["type"] == "set_payee" and a["value"] == from_id for a in rule.actions):
            rule.actions = [{**a, "value": to_id} if a["type"] == "set_payee" and a["value"] == from_id else a
                            for a in rule.actions]


def rule_sets_category_for(ledger_id: int, payee: Payee, category_id: int) -> bool:
    """Whether a rule already puts this payee in that category (a payee condition holds for its name)."""
    for rule in list_rules(ledger_id):
        if any(a["type"] == "set_category" and a["value"] == category_id for a in rule.actions) and any(
                c["field"] == "payee" and condition_holds(c, {"payee": payee.name}) for c in rule.conditions):
            return True
    return False


@dataclass
class _Targets:
    """What the actions may write: category kinds and archived flags, unarchived payees (loaded once)."""

    categories: dict[int, tuple[str, bool]] = field(default_factory=dict)
    payees: dict[int, str] = field(default_factory=dict)


def _targets(ledger_id: int, rules: list[Rule]) -> _Targets:
    category_ids = {a["value"] for r in rules for a in r.actions if a["type"] == "set_category"}
    payee_ids = {a["value"] for r in rules for a in r.actions if a["type"] == "set_payee"}
    targets = _Targets()
    if category_ids:
        targets.categories = {cid: (kind, archived) for cid, kind, archived in db.session.execute(
            select(Category.id, Category.kind, Category.archived)
            .where(Category.ledger_id == ledger_id, Category.id.in_(category_ids)))}
    if payee_ids:
        targets.payees = dict(db.session.execute(select(Payee.id, Payee.name).where(
            Payee.ledger_id == ledger_id, Payee.id.in_(payee_ids), Payee.archived.is_(False))).all())
    return targets


def _action_value(action: Mapping[str, Any], entry_type: str, targets: _Targets) -> Any:
    """What the action would write on an entry of `entry_type`, or None when it cannot apply there (a category
    on a transfer or of the other kind, an archived or deleted target)."""
    if action["type"] == "set_category":
        found = targets.categories.get(action["value"])
        if entry_type == "transfer" or found is None or found[0] != entry_type or found[1]:
            return None
        return action["value"]
    if action["type"] == "set_payee":
        return action["value"] if action["value"] in targets.payees else None
    return action["value"]


def _facts(values: Mapping[str, Any], payee_name: str | None) -> dict[str, Any]:
    return {"payee": payee_name, "imported_payee": values.get("imported_payee"), "memo": values.get("memo") or "",
            "amount": values.get("amount"), "account": values.get("account_id")}


class RuleRunner:
    """The ledger's rules loaded once (one statement, two more for their targets when any), to run on many new
    entries: an import's rows."""

    def __init__(self, ledger_id: int) -> None:
        self.ledger_id = ledger_id
        self.rules = list_rules(ledger_id)
        self.targets = _targets(ledger_id, self.rules) if self.rules else _Targets()

    def apply(self, data: Mapping[str, Any], hand_set: Collection[str]) -> dict[str, Any]:
        """`data` with the rules applied to every field not in `hand_set` (a new dict)."""
        result = dict(data)
        if not self.rules:
            return result
        payee_id = result.get("payee_id")
        payee_name = None
        if payee_id is not None:
            payee_name = db.session.execute(select(Payee.name).where(
                Payee.ledger_id == self.ledger_id, Payee.id == payee_id)).scalar_one_or_none()
        set_by_rule: set[str] = set()
        for rule in self.rules:
            if not rule_matches(rule.match, rule.conditions, _facts(result, payee_name)):
                continue
            for action in rule.actions:
                target = ACTION_FIELDS[action["type"]]
                if target in hand_set or (target in set_by_rule and target != "tags"):
                    continue
                value = _action_value(action, result.get("type") or "", self.targets)
                if value is None:
                    continue
                if target == "tags":
                    tags = list(result.get("tags") or [])
                    if value not in tags and len(tags) < TAGS_MAX:
                        result["tags"] = [*tags, value]
                else:
                    result[target] = value
                    if target == "payee_id":
                        payee_name = self.targets.payees[value]
                set_by_rule.add(target)
        return result


def apply_rules_on_create(ledger_id: int, data: Mapping[str, Any], hand_set: Collection[str]) -> dict[str, Any]:
    """The entry `data` with the ledger's rules applied: the one place rules run on create, called by
    entries.services.create_entry (so the API, schedules and statement imports all get them; the CSV import,
    which inserts in bulk, runs the same RuleRunner over its rows).

    `hand_set` names the entry fields the person set by hand (every field of the request's payload): no rule
    changes them. Returns a new dict; `data` is left as it is. Costs one statement without rules.
    """
    return RuleRunner(ledger_id).apply(data, hand_set)


def _changes(rule: Rule, entry: Entry, payee_name: str | None, targets: _Targets) -> list[dict[str, Any]]:
    """The field changes the rule's actions would make on an existing entry that it matches: [] when it does
    not match or nothing would change."""
    values = {"imported_payee": entry.imported_payee, "memo": entry.memo, "amount": entry.amount,
              "account_id": entry.account_id}
    if not rule_matches(rule.match, rule.conditions, _facts(values, payee_name)):
        return []
    changes: list[dict[str, Any]] = []
    tags = sorted(entry.tags)
    for action in rule.actions:
        value = _action_value(action, entry.type, targets)
        if value is None:
            continue
        target = ACTION_FIELDS[action["type"]]
        if target == "tags":
            if value not in tags and len(tags) < TAGS_MAX:
                changes.append({"field": "tags", "before": sorted(entry.tags), "after": sorted([*tags, value])})
                tags = sorted([*tags, value])
        elif getattr(entry, target) != value:
            changes.append({"field": target, "before": getattr(entry, target), "after": value})
    merged: dict[str, dict[str, Any]] = {}
    for change in changes:  # several add_tag: one change of tags, from the first before to the last after
        name: str = change["field"]
        merged[name] = {**change, "before": merged[name]["before"]} if name in merged else change
    return list(merged.values())


def _prefilter(ledger_id: int, rule: Rule) -> ColumnElement[bool]:
    """A SQL condition that every entry the rule matches satisfies (the matcher in Python decides)."""
    parts: list[ColumnElement[bool]] = []
    payees: list[tuple[int, str]] | None = None
    for condition in rule.conditions:
        name, operator, value = condition["field"], condition["operator"], condition["value"]
        if name == "payee":
            if payees is None:
                payees = list(db.session.execute(select(Payee.id, Payee.name)
                                                 .where(Payee.ledger_id == ledger_id)))
            ids = [pid for pid, pname in payees if condition_holds(condition, {"payee": pname})]
            parts.append(Entry.payee_id.in_(ids) if ids else false())
        elif name in ("memo", "imported_payee"):
            column = func.lower(getattr(Entry, name))
            values = value if operator == "one_of" else [value]
            lowered = [hangul.fold(v) for v in values]
            if operator == "contains":
                parts.append(column.contains(lowered[0], autoescape=True))
            elif operator == "starts_with":
                parts.append(column.startswith(lowered[0], autoescape=True))
            else:
                # SQLite's lower() folds ASCII only: compare the non-ASCII in Python (no SQL filter for them).
                if all(v.isascii() for v in values):
                    parts.append(column.in_(lowered))
                else:
                    parts.append(getattr(Entry, name).is_not(None))
        elif name == "amount":
            if operator == "between":
                parts.append(Entry.amount.between(value[0], value[1]))
            else:
                parts.append(Entry.amount.in_(value if operator == "one_of" else [value]))
        else:
            parts.append(Entry.account_id.in_(value if operator == "one_of" else [value]))
    return and_(*parts) if rule.match == "all" else or_(*parts)


def _payee_names_of(ledger_id: int, entries: list[Entry]) -> dict[int, str]:
    ids = {e.payee_id for e in entries if e.payee_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Payee.id, Payee.name).where(
        Payee.ledger_id == ledger_id, Payee.id.in_(ids))).all())


@dataclass
class EntryDiff:
    entry_id: int
    version: int
    etag: str
    occurred_on: str
    amount: int
    memo: str
    changes: list[dict[str, Any]]


@dataclass
class Preview:
    rule_id: int
    items: list[EntryDiff]
    truncated: bool


def preview_rule(ledger: LedgerScope, rule_id: int) -> Preview:
    """Which existing entries of the ledger the rule would change, and how, newest first (at most
    PREVIEW_MAX): nothing is written."""
    from ledger.entries.services import etag

    rule = get_rule(ledger.id, rule_id)
    targets = _targets(ledger.id, [rule])
    items: list[EntryDiff] = []
    truncated = False
    last: tuple[Any, int] | None = None
    while not truncated:
        stmt = select(Entry).where(Entry.ledger_id == ledger.id, _prefilter(ledger.id, rule))
        if last is not None:
            stmt = stmt.where(or_(Entry.occurred_on < last[0], and_(Entry.occurred_on == last[0], Entry.id < last[1])))
        batch = list(db.session.execute(stmt.order_by(Entry.occurred_on.desc(), Entry.id.desc()).limit(PREVIEW_BATCH))
                     .scalars())
        names = _payee_names_of(ledger.id, batch)
        for entry in batch:
            changes = _changes(rule, entry, names.get(entry.payee_id) if entry.payee_id else None, targets)
            if not changes:
                continue
            if len(items) == PREVIEW_MAX:
                truncated = True
                break
            items.append(EntryDiff(entry.id, entry.version, etag(entry), entry.occurred_on.isoformat(),
                                   entry.amount, entry.memo, changes))
        if len(batch) < PREVIEW_BATCH:
            break
        last = (batch[-1].occurred_on, batch[-1].id)
    return Preview(rule.id, items, truncated)


@dataclass
class ApplyResult:
    applied: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


def apply_rule(ledger: LedgerScope, rule_id: int, wanted: list[Mapping[str, int]]) -> ApplyResult:
    """Apply a preview: each entry changes through the entries service under If-Match of the version the
    preview showed. An entry changed (or deleted) since, or that the rule no longer changes, is a conflict and
    stays as it is; the others are applied (each on its own: one conflict does not undo the rest)."""
    from ledger.entries.services import etag, get_entry, update_entry

    rule = get_rule(ledger.id, rule_id)
    targets = _targets(ledger.id, [rule])
    result = ApplyResult([], [])
    for item in dict((w["entry_id"], w) for w in wanted).values():
        entry_id, version = item["entry_id"], item["version"]
        try:
            entry = get_entry(ledger, entry_id)
        except NotFound:
            result.conflicts.append({"entry_id": entry_id, "reason": "not_found"})
            continue
        if entry.version != version:
            result.conflicts.append({"entry_id": entry_id, "reason": "changed"})
            continue
        names = _payee_names_of(ledger.id, [entry])
        changes = _changes(rule, entry, names.get(entry.payee_id) if entry.payee_id else None, targets)
        if not changes:
            result.conflicts.append({"entry_id": entry_id, "reason": "no_longer_matches"})
            continue
        try:
            updated = update_entry(ledger, entry_id, {c["field"]: c["after"] for c in changes},
                                   f'"{entry_id}-{version}"', by_hand=False)
        except PreconditionFailed:
            result.conflicts.append({"entry_id": entry_id, "reason": "changed"})
            continue
        except ValidationFailed:
            db.session.rollback()
            result.conflicts.append({"entry_id": entry_id, "reason": "invalid"})
            continue
        result.applied.append({"entry_id": entry_id, "version": updated.version, "etag": etag(updated)})
    return result
