"""/api/v1/auth: the second step of a login, passkey sign-in, step-up, and the factors of Settings → Security."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from flask import current_app
from sqlalchemy import select

from ledger.auth.check import auth_required, current_auth
from ledger.auth.mfa import passkeys
from ledger.auth.mfa import services as mfa
from ledger.auth.mfa.schemas import (
    CodeSchema,
    LoginMfaSchema,
    MfaStatusSchema,
    PasskeyListSchema,
    PasskeyLoginSchema,
    PasskeyRegisterSchema,
    PasskeyRenameSchema,
    PasskeySchema,
    RecoveryCodesSchema,
    StepUpResultSchema,
    StepUpSchema,
    TotpDisableSchema,
    TotpEnrolmentSchema,
    WebauthnOptionsSchema,
)
from ledger.auth.models import Session
from ledger.auth.routes import _login_limit, _token_body
from ledger.auth.schemas import TokenSchema
from ledger.blueprint import Blueprint
from ledger.extensions import db, limiter
from ledger.openapi import documented_errors
from ledger.request_hooks import client_address, user_agent

mfa_blp = Blueprint("mfa", __name__, url_prefix="/api/v1/auth",
                    description="A second factor: TOTP, recovery codes, passkeys, step-up")

LOGIN_PATH = "/api/v1/auth/login"


def _qr_svg(uri: str) -> str:
    """The QR code drawn here (the `qrcode` package, pure Python, no request leaves the server) so that the SPA
    needs no QR library: it shows the SVG as an image."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def _passkey_view(row) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "created_at": row.created_at, "last_used_at": row.last_used_at,
            "transports": [t for t in row.transports.split(",") if t], "backup_eligible": row.backup_eligible,
            "backup_state": row.backup_state}


# -- sign-in ----------------------------------------------------------------------------------------------------

@mfa_blp.route("/login/mfa", methods=["POST"])
@limiter.limit(_login_limit)
@mfa_blp.arguments(LoginMfaSchema)
@mfa_blp.response(200, TokenSchema)
@documented_errors(mfa_blp, 400, 401, 413, 415, 422, 429)
def login_mfa(args):
    """The second step of a login: the challenge of POST /auth/login with a TOTP code, a recovery code or a
    passkey credential (its `passkey_options`). 5 wrong answers void the challenge (challenge_used)."""
    if args.get("credential") is not None:
        user, pair = passkeys.complete_login(args["challenge"], args["credential"], user_agent(), client_address())
    else:
        user, pair = mfa.complete_login(args["challenge"], args.get("code"), args.get("recovery_code"),
                                        user_agent(), client_address())
    return _token_body(pair, user)


@mfa_blp.route("/login/passkey/options", methods=["POST"])
@limiter.limit(_login_limit)
@mfa_blp.response(200, WebauthnOptionsSchema)
@documented_errors(mfa_blp, 429)
def passkey_login_options():
    """Start a sign-in with a passkey alone (discoverable credential, user verification required)."""
    token, options = passkeys.login_options()
    return {"challenge": token, "options": options}


@mfa_blp.route("/login/passkey", methods=["POST"])
@limiter.limit(_login_limit)
@mfa_blp.arguments(PasskeyLoginSchema)
@mfa_blp.response(200, TokenSchema)
@documented_errors(mfa_blp, 400, 401, 413, 415, 422, 429)
def passkey_login(args):
    """Finish a passkey sign-in: a new session, like a password login's."""
    user, pair = passkeys.login_with_passkey(args["challenge"], args["credential"], user_agent(), client_address())
    return _token_body(pair, user)


# -- step-up ----------------------------------------------------------------------------------------------------

@mfa_blp.route("/step-up", methods=["POST"])
@limiter.limit(_login_limit)
@auth_required
@mfa_blp.arguments(StepUpSchema)
@mfa_blp.response(200, StepUpResultSchema)
@documented_errors(mfa_blp, 400, 409, 413, 415, 422, 429, auth=True)
def step_up(args):
    """Prove a second factor again (code, recovery code, or passkey with the challenge of /step-up/options):
    for the next 5 minutes this session may change the password, turn a factor off, delete the account or a
    ledger."""
    ctx = current_auth()
    if args.get("credential") is not None:
        passkeys.step_up(ctx.user_id, ctx.session_id, args["challenge"], args["credential"])
        when = mfa.now()
    else:
        when = mfa.step_up_with_code(ctx.user_id, ctx.session_id, args.get("code"), args.get("recovery_code"))
    return {"step_up_expires_at": when + timedelta(seconds=current_app.config["MFA_STEP_UP_MAX_AGE"])}


@mfa_blp.route("/step-up/options", methods=["POST"])
@auth_required
@mfa_blp.response(200, WebauthnOptionsSchema)
@documented_errors(mfa_blp, auth=True)
def step_up_options():
    """A passkey challenge for POST /auth/step-up."""
    ctx = current_auth()
    token, options = passkeys.step_up_options(ctx.user_id, ctx.session_id)
    return {"challenge": token, "options": options}


# -- TOTP and recovery codes ------------------------------------------------------------------------------------

@mfa_blp.route("/mfa", methods=["GET"])
@auth_required
@mfa_blp.response(200, MfaStatusSchema)
@documented_errors(mfa_blp, auth=True)
def mfa_status():
    """Which second factors are on, how many recovery codes are left, and this session's step-up."""
    ctx = current_auth()
    body = mfa.status(ctx.user_id)
    step_up_at = db.session.execute(select(Session.step_up_at).where(Session.id == ctx.session_id)).scalar()
    body["step_up_expires_at"] = None if step_up_at is None else \
        step_up_at + timedelta(seconds=current_app.config["MFA_STEP_UP_MAX_AGE"])
    return body


@mfa_blp.route("/mfa/totp", methods=["POST"])
@auth_required
@mfa_blp.response(201, TotpEnrolmentSchema)
@documented_errors(mfa_blp, 403, 409, auth=True)
def totp_begin():
    """Start (or restart) the TOTP enrolment: a new secret, off until confirmed with a first code. With a passkey
    already on, a step-up is needed (403 step_up_required); 409 mfa_already_enabled when TOTP is on."""
    ctx = current_auth()
    mfa.require_step_up(ctx.user_id, ctx.session_id)
    enrolment = mfa.begin_totp(ctx.user_id)
    return {"secret": enrolment.secret, "otpauth_uri": enrolment.uri, "qr_svg": _qr_svg(enrolment.uri)}


@mfa_blp.route("/mfa/totp/confirm", methods=["POST"])
@limiter.limit(_login_limit)
@auth_required
@mfa_blp.arguments(CodeSchema)
@mfa_blp.response(200, RecoveryCodesSchema)
@documented_errors(mfa_blp, 400, 401, 409, 413, 415, 422, 429, auth=True)
def totp_confirm(args):
    """Turn TOTP on with the app's first code; the answer holds 10 single-use recovery codes, shown only now."""
    ctx = current_auth()
    return {"recovery_codes": mfa.confirm_totp(ctx.user_id, ctx.session_id, args["code"])}


@mfa_blp.route("/mfa/totp", methods=["DELETE"])
@limiter.limit(_login_limit)
@auth_required
@mfa_blp.arguments(TotpDisableSchema)
@mfa_blp.response(204)
@documented_errors(mfa_blp, 400, 401, 403, 409, 413, 415, 422, 429, auth=True)
def totp_disable(args):
    """Turn TOTP off with a fresh code, or with the password after a step-up within 5 minutes."""
    ctx = current_auth()
    mfa.disable_totp(ctx.user_id, ctx.session_id, args.get("code"), args.get("password"))


@mfa_blp.route("/mfa/recovery-codes", methods=["POST"])
@auth_required
@mfa_blp.response(200, RecoveryCodesSchema)
@documented_errors(mfa_blp, 403, 409, auth=True)
def recovery_codes():
    """10 new recovery codes (the old ones stop working); needs a step-up within 5 minutes."""
    ctx = current_auth()
    return {"recovery_codes": mfa.regenerate_recovery_codes(ctx.user_id, ctx.session_id)}


# -- passkeys ---------------------------------------------------------------------------------------------------

@mfa_blp.route("/passkeys", methods=["GET"])
@auth_required
@mfa_blp.response(200, PasskeyListSchema)
@documented_errors(mfa_blp, auth=True)
def list_passkeys():
    """The caller's passkeys, with their names and last use."""
    return {"items": [_passkey_view(row) for row in passkeys.list_passkeys(current_auth().user_id)]}


@mfa_blp.route("/passkeys/options", methods=["POST"])
@auth_required
@mfa_blp.response(200, WebauthnOptionsSchema)
@documented_errors(mfa_blp, 403, auth=True)
def passkey_register_options():
    """Options for navigator.credentials.create() (resident key and user verification required). With a factor
    on, a step-up within 5 minutes is needed (403 step_up_required)."""
    ctx = current_auth()
    token, options = passkeys.registration_options(ctx.user_id, ctx.session_id)
    return {"challenge": token, "options": options}


@mfa_blp.route("/passkeys", methods=["POST"])
@auth_required
@mfa_blp.arguments(PasskeyRegisterSchema)
@mfa_blp.response(201, PasskeySchema)
@documented_errors(mfa_blp, 400, 401, 409, 413, 415, 422, auth=True)
def passkey_register(args):
    """Register the passkey that navigator.credentials.create() made for the challenge of /passkeys/options."""
    ctx = current_auth()
    row = passkeys.register(ctx.user_id, ctx.session_id, args["challenge"], args["name"], args["credential"])
    return _passkey_view(row)


@mfa_blp.route("/passkeys/<id:passkey_id>", methods=["PATCH"])
@auth_required
@mfa_blp.arguments(PasskeyRenameSchema)
@mfa_blp.response(200, PasskeySchema)
@documented_errors(mfa_blp, 400, 404, 413, 415, 422, auth=True)
def passkey_rename(args, passkey_id: int):
    """Rename a passkey."""
    return _passkey_view(passkeys.rename(current_auth().user_id, passkey_id, args["name"]))


@mfa_blp.route("/passkeys/<id:passkey_id>", methods=["DELETE"])
@auth_required
@mfa_blp.response(204)
@documented_errors(mfa_blp, 403, 404, auth=True)
def passkey_remove(passkey_id: int):
    """Remove a passkey; needs a step-up within 5 minutes (403 step_up_required)."""
    ctx = current_auth()
    passkeys.remove(ctx.user_id, ctx.session_id, passkey_id)


def document_login(api) -> None:
    """POST /auth/login answers one of two bodies with 200: the tokens, or the challenge of the second step."""
    from ledger.auth.mfa.schemas import MfaChallengeSchema

    if "MfaChallenge" not in api.spec.components.schemas:
        api.spec.components.schema("MfaChallenge", schema=MfaChallengeSchema)
    operation = api.spec._paths[LOGIN_PATH]["post"]
    content = operation["responses"]["200"]["content"]["application/json"]
    content["schema"] = {"oneOf": [content["schema"], {"$ref": "#/components/schemas/MfaChallenge"}]}
