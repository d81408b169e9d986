"""Load and dump schemas of /api/v1/entries (the list filters are shared with the CSV export)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ledger.cards.billing import INSTALLMENT_MAX
from ledger.entries.models import ENTRY_TYPES
from ledger.money import MAX_AMOUNT
from ledger.months import DATE_SHAPE, parse_date
from ledger.schemas import (
    Amount,
    BaseSchema,
    Id,
    Month,
    Name,
    QueryId,
    QueryInt,
    ResponseSchema,
    StrictInt,
    Text,
    Timestamp,
    trimmed_pattern,
)

MEMO_MAX = 500
IMPORTED_PAYEE_MAX = 200  # entries.imported_payee: the raw text a statement import brought
TAG_MAX = 50
TAGS_MAX = 20
CURSOR_MAX = 200


class IsoDate(fields.Date):
    """A calendar date as exactly YYYY-MM-DD, years 0001..9999; impossible dates (02-30) are refused."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        if not isinstance(value, str):
            raise ValidationError(DATE_SHAPE)
        try:
            return parse_date(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class Tag(Text):
    """A tag: trimmed, then 1..50 characters. `max_input` also bounds it before trimming (a query filter)."""

    def __init__(self, *, max_input: int | None = None, **kwargs):
        kwargs["metadata"] = {"pattern": trimmed_pattern(TAG_MAX), **({"maxLength": max_input} if max_input else {}),
                              **kwargs.get("metadata", {})}
        self.max_input = max_input
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        if self.max_input is not None and len(result) > self.max_input:
            raise ValidationError(f"Longer than maximum length {self.max_input}.")
        result = result.strip()
        if not 1 <= len(result) <= TAG_MAX:
            raise ValidationError(f"Length must be between 1 and {TAG_MAX} after trimming.")
        return result


class Tags(fields.List):
    """Up to 20 tags, deduplicated (first occurrence wins); null means none."""

    def __init__(self, **kwargs):
        super().__init__(Tag(), validate=validate.Length(max=TAGS_MAX), allow_none=True,
                         metadata={"description": f"≤ {TAGS_MAX} tags of 1..{TAG_MAX} characters, "
                                                  "trimmed and deduplicated"}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> list[Any]:
        return list(dict.fromkeys(super()._deserialize(value, attr, data, **kwargs)))


LINES_MAX = 50


class EntryLineInSchema(BaseSchema):
    """One line of a split: part of the entry's amount in a category of the entry's kind."""

    amount = Amount(required=True)
    category_id = Id(required=True, metadata={"description": "a category of the entry's kind, of this ledger"})
    memo = Text(allow_none=True, validate=validate.Length(max=MEMO_MAX))


class EntryLineSchema(ResponseSchema):
    amount = fields.Integer()
    category_id = fields.Integer()
    memo = fields.String()


class _EntryFields(BaseSchema):
    type = fields.String(validate=validate.OneOf(ENTRY_TYPES))
    amount = Amount()
    occurred_on = IsoDate(metadata={"example": "2026-11-20"})
    account_id = Id()
    to_account_id = Id(allow_none=True, metadata={"description": "transfers only: the receiving account"})
    category_id = Id(allow_none=True, metadata={"description": "income/expense only: a category of the "
                                                                "same kind"})
    memo = Text(allow_none=True, validate=validate.Length(max=MEMO_MAX))
    tags = Tags()
    installment_months = StrictInt(allow_none=True, validate=validate.Range(min=1, max=INSTALLMENT_MAX),
                                   metadata={"description": "할부: a credit_card expense paid in 2..36 monthly "
                                                            "portions; null or 1 is 일시불 (stored as null)"})
    lines = fields.List(fields.Nested(EntryLineInSchema), allow_none=True, validate=validate.Length(max=LINES_MAX),
                        metadata={"description": f"a split (income/expense only): 2..{LINES_MAX} lines that add up "
                                                 "to `amount` (else 422 split_sum_mismatch), category_id null then; "
                                                 "replaced as a whole by PATCH; [] or null: not split"})
    payee_id = Id(allow_none=True, metadata={"description": "one of the ledger's payees (GET /payees); null: none"})
    payee = Name(metadata={"description": "a payee by name instead of payee_id: the ledger's payee of that name "
                                          "(ignoring case), created when there is none"})


class EntryCreateSchema(_EntryFields):
    """POST /entries. Archived accounts and categories cannot receive new entries."""

    type = fields.String(required=True, validate=validate.OneOf(ENTRY_TYPES))
    amount = Amount(required=True)
    occurred_on = IsoDate(required=True, metadata={"example": "2026-11-20"})
    account_id = Id(required=True)


class EntryPatchSchema(_EntryFields):
    """PATCH /entries/{id}: any writable field; the merged entry is validated as a whole."""


class EntrySchema(ResponseSchema):
    id = fields.Integer()
    type = fields.String(metadata={"enum": list(ENTRY_TYPES)})
    amount = fields.Integer(metadata={"description": "positive integer minor units; `type` gives the direction"})
    currency = fields.String(dump_only=True, metadata={"description": "the ledger's ISO 4217 currency",
                                                       "example": "KRW"})
    occurred_on = IsoDate()
    account_id = fields.Integer()
    to_account_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    memo = fields.String()
    installment_months = fields.Integer(allow_none=True, metadata={"description": "null: 일시불"})
    lines = fields.List(fields.Nested(EntryLineSchema), metadata={
        "description": "the split's lines in order; empty when the entry is not split"})
    payee_id = fields.Integer(allow_none=True)
    imported_payee = fields.String(allow_none=True, metadata={"description": "the raw payee text an import "
                                                                             "brought; null otherwise"})
    # Sorted here, by code point: ORDER BY tag would follow each database's collation.
    tags = fields.Function(lambda entry: sorted(entry.tags), metadata={"type": "array", "items": {"type": "string"}})
    schedule_id = fields.Integer(allow_none=True, metadata={"description": "the schedule that posted it"})
    scheduled_on = IsoDate(allow_none=True, metadata={"description": "that schedule's nominal date (before a "
                                                                     "weekend move)"})
    created_by = fields.Integer(allow_none=True, metadata={
        "description": "the user id of the member who added it; null once that user is deleted (a former member)"})
    updated_by = fields.Integer(allow_none=True, metadata={
        "description": "the user id of the member who changed it last; null once that user is deleted"})
    created_at = Timestamp()
    updated_at = Timestamp()


class EntryPageSchema(ResponseSchema):
    items = fields.List(fields.Nested(EntrySchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "null on the last page"})


class EntryFilterSchema(BaseSchema):
    """The list filters of GET /entries (and GET /entries/export.csv); all are ANDed."""

    date_from = IsoDate(data_key="from", metadata={"description": "first date, inclusive"})
    date_to = IsoDate(data_key="to", metadata={"description": "last date, inclusive"})
    month = Month(metadata={"description": "the ledger's accounting month (honours month_start_day)",
                            "example": "2026-11"})
    type = fields.String(validate=validate.OneOf(ENTRY_TYPES))
    account_id = QueryId(metadata={"description": "entries from or (transfers) to this account"})
    category_id = QueryId(metadata={"description": "this category and its children (a split entry matches when "
                                                   "one of its lines does)"})
    tag = Tag(max_input=2 * TAG_MAX, metadata={"description": "exact tag"})  # bounded: it is part of the URL
    q = Text(validate=validate.Length(max=200),
             metadata={"description": "case-insensitive substring of the memo (% and _ are literal)"})
    min_amount = QueryInt(validate=validate.Range(min=0, max=MAX_AMOUNT), metadata={"description": "inclusive"})
    max_amount = QueryInt(validate=validate.Range(min=0, max=MAX_AMOUNT), metadata={"description": "inclusive"})

    @validates_schema
    def _check_ranges(self, data: dict, **kwargs) -> None:
        if "date_from" in data and "date_to" in data and data["date_from"] > data["date_to"]:
            raise ValidationError("Must not be before `from`.", "to")
        if "min_amount" in data and "max_amount" in data and data["min_amount"] > data["max_amount"]:
            raise ValidationError("Must not be less than `min_amount`.", "max_amount")


class EntryListQuerySchema(EntryFilterSchema):
    limit = QueryInt(load_default=50, validate=validate.Range(min=1, max=200))
    # A cursor is about 60 characters of base64url and a dot; the bounds keep every URL this operation
    # documents well inside the HTTP server's request-line limit (gunicorn.conf.py).
    cursor = fields.String(validate=[validate.Length(max=CURSOR_MAX),
                                     validate.Regexp(r"^[A-Za-z0-9_.-]*$", error="Not a valid cursor.")],
                           metadata={"description": "opaque `next_cursor` of the previous page"})


class _Headers(Schema):
    class Meta:
        unknown = EXCLUDE  # every other request header is none of our business


class IdempotencyHeaderSchema(_Headers):
    idempotency_key = Text(data_key="Idempotency-Key", validate=validate.Length(min=1, max=255),
                           metadata={"description": "makes a retried POST return the first response "
                                                    "instead of creating a duplicate"})


class IfMatchHeaderSchema(_Headers):
    if_match = fields.String(data_key="If-Match", validate=validate.Length(max=1000),
                             metadata={"description": "the entry's ETag; 412 when it no longer matches"})
