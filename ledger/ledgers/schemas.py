"""Load and dump schemas of /api/v1/ledgers and /api/v1/invites."""
import functools
import zoneinfo
from typing import Any

from marshmallow import ValidationError, fields, post_dump, validate

from ledger.auth.schemas import CURRENCY_PATTERN
from ledger.database import NAME_MAX_LENGTH
from ledger.ledgers.models import ROLES
from ledger.schemas import BaseSchema, Name, ResponseSchema, StrictInt, Text, Timestamp

_ROLE = {"enum": list(ROLES), "description": "owner (everything), editor (the ledger's data), viewer (read only)"}


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_zone(name: str) -> None:
    """An IANA zone name of the system's tz database (never a path: ZoneInfo would also read those)."""
    if name not in _zones():
        raise ValidationError("Unknown time zone: an IANA name such as Asia/Seoul.")


class LedgerSchema(ResponseSchema):
    id = fields.Integer()
    name = fields.String()
    currency = fields.String(metadata={"example": "KRW"})
    month_start_day = fields.Integer()
    role = fields.String(metadata={**_ROLE, "description": "your role in this ledger"})
    member_count = fields.Integer()
    created_at = Timestamp()
    timezone = fields.String(metadata={"example": "Asia/Seoul",
                                       "description": "IANA time zone: the household's today (schedules)"})


class LedgerListSchema(ResponseSchema):
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
    timezone = Text(validate=[validate.Length(max=64), _known_zone],
                    metadata={"example": "Asia/Seoul", "description": "an IANA time zone name"})


class LedgerDeleteSchema(BaseSchema):
    name = Text(required=True, validate=validate.Length(max=NAME_MAX_LENGTH),
                metadata={"description": "the ledger's name, typed back to confirm"})


class MemberSchema(ResponseSchema):
    user_id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role = fields.String(metadata=_ROLE)
    joined_at = Timestamp()


class MemberListSchema(ResponseSchema):
    items = fields.List(fields.Nested(MemberSchema), required=True)


class MemberPatchSchema(BaseSchema):
    role = Text(required=True, validate=validate.OneOf(ROLES), metadata=_ROLE)


class InviteCreateSchema(BaseSchema):
    role = Text(load_default="editor", validate=validate.OneOf(ROLES), metadata=_ROLE)


class InviteSchema(ResponseSchema):
    sometimes = frozenset({"token"})

    @post_dump
    def _token_only_when_created(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The list has no token to show (only its hash is stored): leave the field out rather than send null."""
        if data.get("token") is None:
            data.pop("token", None)
        return data

    id = fields.Integer()
    role = fields.String(metadata=_ROLE)
    created_at = Timestamp()
    expires_at = Timestamp()
    created_by = fields.Integer(allow_none=True)
    token = fields.String(metadata={"description": "only in the answer to POST: the link's secret (stored only as "
                                                   "a hash); the link is /invite/{token} of the web app"})


class InviteListSchema(ResponseSchema):
    items = fields.List(fields.Nested(InviteSchema), required=True)


class InviteInfoSchema(ResponseSchema):
    ledger_name = fields.String()
    inviter = fields.String(allow_none=True, metadata={"description": "the inviter's display name"})
    role = fields.String(metadata=_ROLE)
    expires_at = Timestamp()
