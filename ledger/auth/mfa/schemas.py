"""Load and dump schemas of the second factor's endpoints."""
from marshmallow import ValidationError, fields, validate, validates_schema

from ledger.database import NAME_MAX_LENGTH
from ledger.schemas import BaseSchema, ResponseSchema, Text, Timestamp

CODE_PATTERN = r"^[0-9]{6}$"
_CHALLENGE_MAX = 128
_RECOVERY_MAX = 64
_PASSWORD_MAX = 1024
FACTORS = ["totp", "recovery", "passkey"]


def _code() -> Text:
    return Text(validate=validate.Regexp(CODE_PATTERN), metadata={
        "description": "the 6-digit code of the authenticator app (RFC 6238, 30 s)", "example": "123456"})


def _recovery() -> Text:
    return Text(validate=validate.Length(min=1, max=_RECOVERY_MAX), metadata={
        "description": "one of the recovery codes (single use; dashes and case ignored)"})


def _credential(required: bool = False) -> fields.Dict:
    return fields.Dict(keys=fields.String(), required=required, metadata={
        "description": "the PublicKeyCredential of navigator.credentials (JSON, base64url; toJSON())"})


def _challenge(required: bool = True) -> Text:
    return Text(required=required, validate=validate.Length(min=1, max=_CHALLENGE_MAX))


def _exactly_one(data: dict, names: tuple[str, ...]) -> None:
    given = [name for name in names if data.get(name) is not None]
    if len(given) != 1:
        raise ValidationError(f"Send exactly one of {', '.join(names)}.", field_name=names[0])


class MfaChallengeSchema(ResponseSchema):
    """POST /auth/login's answer when a second factor is on: no token."""

    sometimes = frozenset({"passkey_options"})

    mfa_required = fields.Boolean(metadata={"enum": [True]})
    challenge = fields.String(metadata={"description": "send it to POST /auth/login/mfa within expires_in seconds"})
    methods = fields.List(fields.String(metadata={"enum": FACTORS}))
    expires_in = fields.Integer(metadata={"description": "seconds"})
    passkey_options = fields.Dict(keys=fields.String(), metadata={
        "description": "PublicKeyCredentialRequestOptions (JSON) when a passkey can finish the login"})


class LoginMfaSchema(BaseSchema):
    challenge = _challenge()
    code = _code()
    recovery_code = _recovery()
    credential = _credential()

    @validates_schema
    def one_factor(self, data, **kwargs):
        _exactly_one(data, ("code", "recovery_code", "credential"))


class MfaStatusSchema(ResponseSchema):
    totp_enabled = fields.Boolean()
    totp_confirmed_at = Timestamp(allow_none=True)
    recovery_codes_left = fields.Integer()
    passkeys = fields.Integer(metadata={"description": "how many passkeys are registered"})
    step_up_expires_at = Timestamp(allow_none=True, metadata={
        "description": "until when this session's last proof of a factor counts for step-up (null: none)"})


class TotpEnrolmentSchema(ResponseSchema):
    secret = fields.String(metadata={"description": "base32, for typing into the app by hand"})
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "the otpauth URI as a QR code (SVG, drawn by the server)"})


class CodeSchema(BaseSchema):
    code = Text(required=True, validate=validate.Regexp(CODE_PATTERN), metadata={"example": "123456"})


class RecoveryCodesSchema(ResponseSchema):
    recovery_codes = fields.List(fields.String(), metadata={"description": "shown once; stored hashed"})


class TotpDisableSchema(BaseSchema):
    code = _code()
    password = Text(load_only=True, validate=validate.Length(max=_PASSWORD_MAX), metadata={
        "description": "instead of a code: the password (then a step-up within 5 minutes is needed too)"})

    @validates_schema
    def one_proof(self, data, **kwargs):
        _exactly_one(data, ("code", "password"))


class StepUpSchema(BaseSchema):
    code = _code()
    recovery_code = _recovery()
    challenge = _challenge(required=False)
    credential = _credential()

    @validates_schema
    def one_factor(self, data, **kwargs):
        _exactly_one(data, ("code", "recovery_code", "credential"))
        if (data.get("credential") is None) != (data.get("challenge") is None):
            raise ValidationError("A passkey needs the challenge of POST /auth/step-up/options.",
                                  field_name="challenge")


class StepUpResultSchema(ResponseSchema):
    step_up_expires_at = Timestamp()


class WebauthnOptionsSchema(ResponseSchema):
    challenge = fields.String(metadata={"description": "send it back with the credential"})
    options = fields.Dict(keys=fields.String(), metadata={
        "description": "PublicKeyCredentialCreationOptions or ...RequestOptions, JSON (base64url)"})


class PasskeyRegisterSchema(BaseSchema):
    challenge = _challenge()
    name = Text(required=True, validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    credential = _credential(required=True)


class PasskeyRenameSchema(BaseSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=NAME_MAX_LENGTH))


class PasskeyLoginSchema(BaseSchema):
    challenge = _challenge()
    credential = _credential(required=True)


class PasskeySchema(ResponseSchema):
    id = fields.Integer()
    name = fields.String()
    created_at = Timestamp()
    last_used_at = Timestamp(allow_none=True)
    transports = fields.List(fields.String())
    backup_eligible = fields.Boolean()
    backup_state = fields.Boolean()


class PasskeyListSchema(ResponseSchema):
    items = fields.List(fields.Nested(PasskeySchema))
