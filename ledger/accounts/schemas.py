"""Load and dump schemas of /api/v1/accounts."""
from marshmallow import fields, validate

from ledger.accounts.models import ACCOUNT_TYPES
from ledger.cards.billing import OFFSET_MAX
from ledger.money import MAX_AMOUNT
from ledger.schemas import BaseSchema, Name, ResponseSchema, StrictBool, StrictInt, Timestamp

_MINOR_UNITS = "integer minor units of the user's currency"


class BillingSchema(ResponseSchema):
    payment_day = fields.Integer(metadata={"description": "1..31; past a month's end, its last day"})
    usage_start_day = fields.Integer(metadata={"description": "1..31: the usage period starts on this day"})
    usage_month_offset = fields.Integer(metadata={"description": "1 (전월) or 2 (전전월): how many months before "
                                                                 "the payment month the usage period starts"})


class AccountSchema(ResponseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    type = fields.String(metadata={"enum": list(ACCOUNT_TYPES)})
    opening_balance = fields.Integer(metadata={"description": _MINOR_UNITS})
    balance = fields.Integer(metadata={"description": "opening_balance + income - expense - transfers out "
                                                      "+ transfers in, " + _MINOR_UNITS})
    archived = fields.Boolean()
    created_at = Timestamp()
    billing = fields.Nested(BillingSchema, allow_none=True,
                            metadata={"description": "a credit_card's billing cycle; null for other types"})


class AccountListSchema(ResponseSchema):
    items = fields.List(fields.Nested(AccountSchema), metadata={"description": "every account, by id"})


class AccountListQuerySchema(BaseSchema):
    """GET /accounts takes no parameters; any query parameter is refused."""


class AccountCreateSchema(BaseSchema):
    name = Name(required=True, metadata={"description": "unique among the user's accounts", "example": "Card"})
    type = fields.String(required=True, validate=validate.OneOf(ACCOUNT_TYPES))
    opening_balance = StrictInt(load_default=0, validate=validate.Range(min=-MAX_AMOUNT, max=MAX_AMOUNT),
                                metadata={"description": _MINOR_UNITS + "; negative for a card's debt"})


class AccountPatchSchema(BaseSchema):
    name = Name(metadata={"description": "unique among the user's accounts"})
    archived = StrictBool(metadata={"description": "archived accounts keep their entries and balance"})
    # A credit card's billing cycle (422 on another type); the presets of GET /cards/presets fill these.
    payment_day = StrictInt(validate=validate.Range(min=1, max=31))
    usage_start_day = StrictInt(validate=validate.Range(min=1, max=31))
    usage_month_offset = StrictInt(validate=validate.Range(min=1, max=OFFSET_MAX))
