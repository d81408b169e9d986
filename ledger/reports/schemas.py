"""Query and dump schemas of /api/v1/reports."""
from marshmallow import ValidationError, fields, validates_schema

from ledger.budgets.schemas import BudgetItemSchema, BudgetTotalSchema
from ledger.entries.schemas import EntrySchema
from ledger.months import month_count, parse_month
from ledger.schemas import BaseSchema, Month, ResponseSchema

MAX_TREND_MONTHS = 120


class MonthlyQuerySchema(BaseSchema):
    month = Month(required=True, metadata={"description": "the user's accounting month, YYYY-MM"})


class TrendQuerySchema(BaseSchema):
    # Month documents MONTH_PATTERN itself.
    from_ = Month(data_key="from", required=True, metadata={"description": "first month, YYYY-MM (inclusive)",
                                                            "example": "2026-01"})
    to = Month(required=True, metadata={"description": f"last month, YYYY-MM (inclusive); at most "
                                                       f"{MAX_TREND_MONTHS} months in all",
                                       "example": "2026-12"})

    @validates_schema
    def check_span(self, data, **kwargs):
        count = month_count(parse_month(data["from_"]), parse_month(data["to"]))
        if count < 1:
            raise ValidationError("Must not be before `from`.", field_name="to")
        if count > MAX_TREND_MONTHS:
            raise ValidationError(f"At most {MAX_TREND_MONTHS} months from `from`.", field_name="to")


class CategoryTotalSchema(ResponseSchema):
    category_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True, metadata={"description": "null on a top-level row"})
    kind = fields.String(metadata={"description": "income or expense (the entries' type)"})
    total = fields.Integer(metadata={"description": "minor units; on a top-level row, rolled up: its own entries "
                                                    "plus its children's"})
    count = fields.Integer(metadata={"description": "number of entries behind `total` (rolled up likewise)"})
    share = fields.Float(metadata={"description": "total / the month's income or expense total (same kind), "
                                                  "rounded to 4 decimals; a ratio, not money", "example": 0.2513})


class DayTotalSchema(ResponseSchema):
    date = fields.Date()
    income = fields.Integer()
    expense = fields.Integer()


class MonthlyReportSchema(ResponseSchema):
    month = fields.String(metadata={"example": "2026-11"})
    from_ = fields.Date(data_key="from", attribute="from",
                        metadata={"description": "first day of the accounting month (inclusive)"})
    to = fields.Date(metadata={"description": "last day of the accounting month (inclusive)"})
    currency = fields.String(metadata={"example": "KRW"})
    income = fields.Integer(metadata={"description": "minor units; transfers never count"})
    expense = fields.Integer(metadata={"description": "minor units; transfers never count"})
    net = fields.Integer(metadata={"description": "income - expense"})
    by_category = fields.List(fields.Nested(CategoryTotalSchema), metadata={"description": (
        "Expense rows, then income rows. Each top-level category with entries in it or in its children has a "
        "row with parent_id null and the rolled-up total (its own entries plus its children's); right after "
        "it come its children that have entries, each with its own total. So the top-level rows of a kind sum "
        "to that kind's total, and a parent's direct part is its total minus its children's. Within a level, "
        "rows are ordered by total descending, then name, then id. An entry without a category (not possible "
        "through the API) is reported under category_id null.")})
    by_day = fields.List(fields.Nested(DayTotalSchema), metadata={
        "description": "every day of the accounting month in order, days without entries included with zeros"})
    budget = fields.Nested(BudgetTotalSchema, allow_none=True, metadata={
        "description": "the month's budget totals (as in GET /budgets/{month}), or null when none is set"})
    budgets = fields.List(fields.Nested(BudgetItemSchema), metadata={"description": (
        "the month's budget lines, the same as GET /budgets/{month}'s `items`: `spent` counts the category's "
        "expense entries and its children's; ordered by category_id; empty when no budget is set")})
    recent = fields.List(fields.Nested(EntrySchema), metadata={"description": (
        "the month's 5 newest entries of every type, the same as the first page of "
        "GET /entries?month=YYYY-MM&limit=5: newest `occurred_on` first, ties by id descending")})


class TrendItemSchema(ResponseSchema):
    month = fields.String(metadata={"example": "2026-11"})
    income = fields.Integer()
    expense = fields.Integer()
    net = fields.Integer()


class TrendSchema(ResponseSchema):
    items = fields.List(fields.Nested(TrendItemSchema), metadata={
        "description": "one row per accounting month from `from` to `to`, oldest first; months without entries "
                       "included with zeros"})
