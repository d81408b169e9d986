"""Load and dump schemas of /api/v1/ledgers and /api/v1/invites."""
from marshmallow import Schema, fields, validate

from ledger.auth.schemas import CURRENCY_PATTERN
from ledger.ledgers.models import ROLES
from ledger.schemas import BaseSchema, Name, StrictInt, Text, Timestamp

_ROLE = {"enum": list(ROLES), "description": "owner (everything), editor (the ledger's data), viewer (read only)"}


class LedgerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    currency = fields.String(required=True, metadata={"example": "KRW"})
    month_start_day = fields.Integer(required=True)
    role = fields.String(required=True, metadata={**_ROLE, "description": "your role in this ledger"})
    member_count = fields.Integer(required=True)
    created_at = Timestamp(required=True)


class LedgerListSchema(Schema):
    items = fields.List(fields.Nested(LedgerSchema), required=True)


class LedgerCreateSchema(BaseSchema):
    name = Name(required=True)
    currency = Text(validate=validate.Regexp(r"^[A-Za-z]{3}$"),
                    metadata={"example": "KRW", "pattern": CURRENCY_PATTERN,
                              "description": "an ISO 4217 code of GET /currencies (default from config); fixed "
                                             "once the ledger exists"})
    month_start_day = StrictInt(load_default=1, validate=validate.Range(min=1, max=28))


class LedgerPatchSchema(BaseSchema):
    name = Name()
    month_start_day = StrictInt(validate=validate.Range(min=1, max=28))


class LedgerDeleteSchema(BaseSchema):
    name = Text(required=True, validate=validate.Length(max=100),
                metadata={"description": "the ledger's name, typed back to confirm"})


class MemberSchema(Schema):
    user_id = fields.Integer(required=True)
    email = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, metadata=_ROLE)
    joined_at = Timestamp(required=True)


class MemberListSchema(Schema):
    items = fields.List(fields.Nested(MemberSchema), required=True)


class MemberPatchSchema(BaseSchema):
    role = Text(required=True, validate=validate.OneOf(ROLES), metadata=_ROLE)


class InviteCreateSchema(BaseSchema):
    role = Text(load_default="editor", validate=validate.OneOf(ROLES), metadata=_ROLE)


class InviteSchema(Schema):
    id = fields.Integer(required=True)
    role = fields.String(required=True, metadata=_ROLE)
    created_at = Timestamp(required=True)
    expires_at = Timestamp(required=True)
    created_by = fields.Integer(required=True, allow_none=True)
    token = fields.String(metadata={"description": "only in the answer to POST: the link's secret (stored only as "
                                                   "a hash); the link is /invite/{token} of the web app"})


class InviteListSchema(Schema):
    items = fields.List(fields.Nested(InviteSchema), required=True)


class InviteInfoSchema(Schema):
    ledger_name = fields.String(required=True)
    inviter = fields.String(required=True, allow_none=True, metadata={"description": "the inviter's display name"})
    role = fields.String(required=True, metadata=_ROLE)
    expires_at = Timestamp(required=True)
