"""Load and dump schemas of /api/v1/budgets."""
from marshmallow import fields, validate

from ledger.schemas import MONTH_PATTERN, Amount, BaseSchema, Id, ResponseSchema

MAX_BUDGET_ITEMS = 500

# The path parameter {month}, documented once for both operations.
MONTH_PATH_PARAMETER = {
    "in": "path",
    "name": "month",
    "required": True,
    "description": "The user's accounting month, YYYY-MM (honours month_start_day).",
    "schema": {"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"},
}


class BudgetItemInSchema(BaseSchema):
    category_id = Id(required=True,
                     metadata={"description": "one of the user's expense categories (archived ones too)"})
    amount = Amount(required=True, metadata={
        "description": "the month's limit in minor units, 1..2^53-1; to remove a category's budget, "
                       "leave it out of `items` (0 is refused)",
        "example": 300000})


class BudgetPutSchema(BaseSchema):
    items = fields.List(fields.Nested(BudgetItemInSchema), required=True,
                        validate=validate.Length(max=MAX_BUDGET_ITEMS),
                        metadata={"description": "the month's complete set of limits: it replaces the previous set "
                                                 "(an empty list removes them all); each category at most once"})


class BudgetItemSchema(ResponseSchema):
    category_id = fields.Integer()
    amount = fields.Integer(metadata={"description": "the limit, minor units"})
    spent = fields.Integer(metadata={"description": "the month's expense entries in this category and its "
                                                    "children, minor units"})
    remaining = fields.Integer(metadata={"description": "amount - spent; negative when over budget"})


class BudgetTotalSchema(ResponseSchema):
    amount = fields.Integer(metadata={"description": "sum of the limits, counting a child category's limit only "
                                                     "when its parent has none (a child's limit under a budgeted "
                                                     "parent is a part of the parent's)"})
    spent = fields.Integer(metadata={"description": "spending in the budgeted categories, each entry counted once"})
    remaining = fields.Integer(metadata={"description": "amount - spent"})


class BudgetSchema(ResponseSchema):
    month = fields.String(metadata={"example": "2026-11"})
    items = fields.List(fields.Nested(BudgetItemSchema), metadata={"description": "ordered by category_id"})
    total = fields.Nested(BudgetTotalSchema)


class BudgetRowSchema(ResponseSchema):
    """One stored limit, as the change feed carries it (GET /budgets/{month} adds what was spent)."""

    id = fields.Integer()
    month = fields.String(metadata={"example": "2026-11"})
    category_id = fields.Integer()
    amount = fields.Integer(metadata={"description": "the limit, minor units"})
