"""Load and dump schemas of the auth and /me endpoints."""
from marshmallow import fields, validate

from ledger.auth.passwords import MAX_LENGTH, MIN_LENGTH
from ledger.database import NAME_MAX_LENGTH
from ledger.money import CURRENCIES
from ledger.schemas import BaseSchema, Id, ResponseSchema, StrictInt, Text, Timestamp

# Longer inputs are refused before any hashing work is done.
_PASSWORD_FIELD_MAX = 1024
# The known codes, case-insensitively ("usd" is USD): exactly what registration accepts.
CURRENCY_PATTERN = "^(?:" + "|".join("".join(f"[{c}{c.lower()}]" for c in code) for code in CURRENCIES) + ")$"


class UserSchema(ResponseSchema):
    id = fields.Integer(dump_only=True)
    email = fields.String()
    display_name = fields.String()
    currency = fields.String(metadata={"description": "the default ledger's currency"})
    month_start_day = fields.Integer(metadata={"description": "the default ledger's month_start_day"})
    created_at = Timestamp()
    default_ledger_id = fields.Integer(allow_none=True, metadata={
        "description": "the ledger that the paths without /ledgers/{id} act on"})


class RegisterSchema(BaseSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = Text(required=True, load_only=True,
                    metadata={"description": f"{MIN_LENGTH}..{MAX_LENGTH} characters, not a common password, "
                                             "not the email", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH})
    display_name = Text(validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    currency = Text(validate=validate.Regexp(r"^[A-Za-z]{3}$"),
                    metadata={"example": "KRW", "pattern": CURRENCY_PATTERN,
                              "description": "an ISO 4217 code of GET /currencies, in any case (default from config)"})


    locale = Text(validate=validate.OneOf(["en", "ko"]),
                  metadata={"description": "the language of the default account and categories; without it, "
                                           "Accept-Language decides (Korean for ko*, else English)"})


class LoginSchema(BaseSchema):
    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Text(required=True, load_only=True, validate=validate.Length(max=_PASSWORD_FIELD_MAX))


class RefreshBodySchema(BaseSchema):
    refresh_token = Text(validate=validate.Length(min=1, max=4096),
                         metadata={"description": "required with REFRESH_TOKEN_TRANSPORT=body"})


class TokenSchema(ResponseSchema):
    # The transport decides which of the two tokens is sent (document_refresh_transport); `user` comes with a
    # sign-in and a password change, not with a refresh.
    sometimes = frozenset({"refresh_token", "csrf_token", "user"})

    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    refresh_token = fields.String(metadata={"description": "only with REFRESH_TOKEN_TRANSPORT=body"})
    csrf_token = fields.String(metadata={"description": "only with REFRESH_TOKEN_TRANSPORT=cookie: the value to "
                                                        "send as X-CSRF-TOKEN on the next refresh (the same as the "
                                                        "csrf_refresh_token cookie, for SPAs on another origin)"})
    user = fields.Nested(UserSchema)


class SessionSchema(ResponseSchema):
    id = fields.Integer()
    created_at = Timestamp()
    last_used_at = Timestamp()
    user_agent = fields.String()
    ip = fields.String()
    current = fields.Boolean()
    factor = fields.String(metadata={"enum": ["password", "totp", "recovery", "passkey"],
                                     "description": "how the session was opened"})


class SessionListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SessionSchema))


class ProfilePatchSchema(BaseSchema):
    display_name = Text(validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    month_start_day = StrictInt(validate=validate.Range(min=1, max=28), metadata={
        "description": "the default ledger's (its owners only: 403 forbidden_role otherwise)"})
    default_ledger_id = Id(metadata={
        "description": "a ledger you are a member of (else 422)"})


class PasswordChangeSchema(BaseSchema):
    current_password = Text(required=True, load_only=True, validate=validate.Length(max=_PASSWORD_FIELD_MAX))
    new_password = Text(required=True, load_only=True, validate=validate.Length(max=_PASSWORD_FIELD_MAX),
                        metadata={"description": f"{MIN_LENGTH}..{MAX_LENGTH} characters, not a common password, "
                                                 "not the email", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH})


class DeleteMeSchema(BaseSchema):
    password = Text(required=True, load_only=True, validate=validate.Length(max=_PASSWORD_FIELD_MAX))
