"""Load and dump schemas of /api/v1/rules: conditions and actions are checked field by field (422 naming them)."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ledger.database import MAX_ID, NAME_MAX_LENGTH
from ledger.entries.schemas import MEMO_MAX, TAG_MAX
from ledger.money import MAX_AMOUNT
from ledger.rules.engine import ACTION_TYPES, ALL_OPERATORS, FIELDS, OPERATORS, TEXT_FIELDS
from ledger.schemas import BaseSchema, Id, ResponseSchema, Text, Timestamp

CONDITIONS_MAX = 10
ACTIONS_MAX = 10
ONE_OF_MAX = 20
TEXT_VALUE_MAX = 200  # imported_payee's width; names and memos are compared on their first characters
RULES_MAX = 200
PREVIEW_MAX = 1000


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationError(f"{where}: must be text without NUL characters.", "value")
    text = value.strip()
    if not 1 <= len(text) <= TEXT_VALUE_MAX:
        raise ValidationError(f"{where}: must have 1..{TEXT_VALUE_MAX} characters after trimming.", "value")
    return text


def _int(value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"Must be an integer {low}..{high}.", "value")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list) or not 1 <= len(value) <= ONE_OF_MAX:
        raise ValidationError(f"one_of takes a list of 1..{ONE_OF_MAX} values.", "value")
    return value


class ConditionSchema(BaseSchema):
    field = fields.String(required=True, validate=validate.OneOf(FIELDS))
    operator = fields.String(required=True, validate=validate.OneOf(ALL_OPERATORS))
    value = fields.Raw(required=True, metadata={
        "description": "text (1..200 characters) for payee/imported_payee/memo; an amount for amount; an "
                       "account id for account; one_of: a list of 1..20 of those; between: [min, max]"})

    @validates_schema
    def _check(self, data: dict, **kwargs) -> None:
        field, operator = data.get("field"), data.get("operator")
        if field is None or operator is None or "value" not in data:
            return
        if operator not in OPERATORS[field]:
            raise ValidationError(f"{field} takes {', '.join(OPERATORS[field])}; not {operator}.", "operator")
        value = data["value"]
        if field in TEXT_FIELDS:
            data["value"] = [_text(v, "each value") for v in _list(value)] if operator == "one_of" \
                else _text(value, "value")
        elif field == "amount":
            if operator == "between":
                if not isinstance(value, list) or len(value) != 2:
                    raise ValidationError("between takes [min, max].", "value")
                low, high = (_int(v, 1, MAX_AMOUNT) for v in value)
                if low > high:
                    raise ValidationError("min must not be above max.", "value")
            elif operator == "one_of":
                for v in _list(value):
                    _int(v, 1, MAX_AMOUNT)
            else:
                _int(value, 1, MAX_AMOUNT)
        elif operator == "one_of":  # account
            for v in _list(value):
                _int(v, 1, MAX_ID)
        else:
            _int(value, 1, MAX_ID)


class ActionSchema(BaseSchema):
    type = fields.String(required=True, validate=validate.OneOf(ACTION_TYPES))
    value = fields.Raw(required=True, metadata={
        "description": "set_category: a category id; set_payee: a payee id; add_tag: a tag (1..50 "
                       "characters); set_memo: a memo (1..500 characters)"})

    @validates_schema
    def _check(self, data: dict, **kwargs) -> None:
        kind = data.get("type")
        if kind is None or "value" not in data:
            return
        value = data["value"]
        if kind in ("set_category", "set_payee"):
            _int(value, 1, MAX_ID)
            return
        limit = TAG_MAX if kind == "add_tag" else MEMO_MAX
        if not isinstance(value, str) or "\x00" in value or not 1 <= len(value.strip()) <= limit:
            raise ValidationError(f"Must be text of 1..{limit} characters after trimming.", "value")
        data["value"] = value.strip()


class _RuleFields(BaseSchema):
    name = Text(validate=validate.Length(max=NAME_MAX_LENGTH), metadata={"description": "optional label"})
    match = fields.String(validate=validate.OneOf(("all", "any")),
                          metadata={"description": "all (default): every condition; any: at least one"})
    conditions = fields.List(fields.Nested(ConditionSchema), validate=validate.Length(
        min=1, max=CONDITIONS_MAX, error=f"A rule needs 1..{CONDITIONS_MAX} conditions."))
    actions = fields.List(fields.Nested(ActionSchema), validate=validate.Length(
        min=1, max=ACTIONS_MAX, error=f"A rule needs 1..{ACTIONS_MAX} actions."))

    @validates_schema
    def _one_of_each(self, data: dict, **kwargs) -> None:
        seen: set[str] = set()
        for index, action in enumerate(data.get("actions") or []):
            if action["type"] != "add_tag" and action["type"] in seen:
                raise ValidationError({index: {"type": [f"Only one {action['type']} per rule."]}}, "actions")
            seen.add(action["type"])


class RuleCreateSchema(_RuleFields):
    """POST /rules: appended after the ledger's last rule."""

    conditions = fields.List(fields.Nested(ConditionSchema), required=True, validate=validate.Length(
        min=1, max=CONDITIONS_MAX, error=f"A rule needs 1..{CONDITIONS_MAX} conditions."))
    actions = fields.List(fields.Nested(ActionSchema), required=True, validate=validate.Length(
        min=1, max=ACTIONS_MAX, error=f"A rule needs 1..{ACTIONS_MAX} actions."))


class RulePatchSchema(_RuleFields):
    """PATCH /rules/{id}: conditions and actions are replaced as a whole."""


class RuleSchema(ResponseSchema):
    id = fields.Integer()
    position = fields.Integer(metadata={"description": "1-based: rules run in this order"})
    name = fields.String()
    match = fields.String(metadata={"enum": ["all", "any"]})
    conditions = fields.List(fields.Dict(), metadata={"description": "[{field, operator, value}]"})
    actions = fields.List(fields.Dict(), metadata={"description": "[{type, value}]"})
    created_at = Timestamp()
    updated_at = Timestamp()


class RuleListSchema(ResponseSchema):
    items = fields.List(fields.Nested(RuleSchema), metadata={"description": "in order"})


class RuleOrderSchema(BaseSchema):
    rule_ids = fields.List(Id(), required=True, validate=validate.Length(max=RULES_MAX),
                           metadata={"description": "every rule id of the ledger, once, in the new order"})


class FieldChangeSchema(ResponseSchema):
    field = fields.String(metadata={"enum": ["category_id", "payee_id", "tags", "memo"]})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class EntryDiffSchema(ResponseSchema):
    entry_id = fields.Integer()
    version = fields.Integer()
    etag = fields.String(metadata={"description": "the entry's ETag when previewed"})
    occurred_on = fields.String()
    amount = fields.Integer()
    memo = fields.String()
    changes = fields.List(fields.Nested(FieldChangeSchema))


class PreviewSchema(ResponseSchema):
    rule_id = fields.Integer()
    items = fields.List(fields.Nested(EntryDiffSchema), metadata={"description": "newest first"})
    truncated = fields.Boolean(metadata={"description": f"more than {PREVIEW_MAX} entries would change"})


class ApplyItemSchema(BaseSchema):
    entry_id = Id(required=True)
    version = Id(required=True, metadata={"description": "the entry's version in the preview (its ETag)"})


class ApplySchema(BaseSchema):
    entries = fields.List(fields.Nested(ApplyItemSchema), required=True,
                          validate=validate.Length(min=1, max=PREVIEW_MAX))


class AppliedSchema(ResponseSchema):
    entry_id = fields.Integer()
    version = fields.Integer()
    etag = fields.String()


class ConflictItemSchema(ResponseSchema):
    entry_id = fields.Integer()
    reason = fields.String(metadata={"enum": ["not_found", "changed", "no_longer_matches", "invalid"]})


class ApplyResultSchema(ResponseSchema):
    applied = fields.List(fields.Nested(AppliedSchema))
    conflicts = fields.List(fields.Nested(ConflictItemSchema))
