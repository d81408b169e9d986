"""Schemas of the card statements (/accounts/{id}/statements) and of /api/v1/cards."""
from marshmallow import fields

from ledger.entries.schemas import IsoDate
from ledger.schemas import BaseSchema, Month, ResponseSchema

_MINOR_UNITS = "integer minor units of the ledger's currency"


class StatementQuerySchema(BaseSchema):
    month = Month(required=True, metadata={"description": "the month the statement is paid in"})


class DueQuerySchema(BaseSchema):
    month = Month(metadata={"description": "the month the statements are paid in; today's month by default"})


class StatementLineSchema(ResponseSchema):
    entry_id = fields.Integer()
    occurred_on = IsoDate()
    type = fields.String(metadata={"enum": ["income", "expense", "transfer"]})
    memo = fields.String()
    category_id = fields.Integer(allow_none=True)
    entry_amount = fields.Integer(metadata={"description": "the whole entry, " + _MINOR_UNITS})
    amount = fields.Integer(metadata={"description": "billed by this statement (an installment portion; negative "
                                                     "for a refund), " + _MINOR_UNITS})
    installment_number = fields.Integer(allow_none=True, metadata={"description": "n of installment_months"})
    installment_months = fields.Integer(allow_none=True, metadata={"description": "null: 일시불"})


class PaymentSchema(ResponseSchema):
    entry_id = fields.Integer()
    occurred_on = IsoDate()
    from_account_id = fields.Integer()
    amount = fields.Integer(metadata={"description": _MINOR_UNITS})


class StatementSummarySchema(ResponseSchema):
    account_id = fields.Integer()
    account_name = fields.String()
    month = fields.String(metadata={"example": "2026-12"})
    usage_from = IsoDate(metadata={"description": "first day of the usage period"})
    usage_to = IsoDate(metadata={"description": "last day of the usage period"})
    payment_date = IsoDate()
    total = fields.Integer(metadata={"description": "sum of the lines, " + _MINOR_UNITS})
    paid = fields.Integer(metadata={"description": "transfers into the card from usage_to + 1 to payment_date"})
    amount_due = fields.Integer(metadata={"description": "max(total - paid, 0)"})
    currency = fields.String(metadata={"example": "KRW"})


class StatementSchema(StatementSummarySchema):
    lines = fields.List(fields.Nested(StatementLineSchema), metadata={"description": "by date, then entry id"})
    payments = fields.List(fields.Nested(PaymentSchema))


class DueListSchema(ResponseSchema):
    items = fields.List(fields.Nested(StatementSummarySchema),
                        metadata={"description": "every credit card that is not archived, by id"})


class PresetSchema(ResponseSchema):
    key = fields.String(metadata={"example": "shinhan"})
    name = fields.String(metadata={"example": "신한카드"})
    payment_day = fields.Integer()
    usage_start_day = fields.Integer()
    usage_month_offset = fields.Integer()


class PresetListSchema(ResponseSchema):
    items = fields.List(fields.Nested(PresetSchema))


class NoQuerySchema(BaseSchema):
    """No query parameters."""
