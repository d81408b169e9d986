"""Passkeys (WebAuthn, py_webauthn): registration from Settings, sign-in with a passkey alone (a discoverable
credential, user verification required), the second step of a password login, and step-up.

The relying party is WEBAUTHN_RP_ID with WEBAUTHN_ORIGINS; unset, the request's own host and origin (plus
CORS_ORIGINS). Every WebAuthn challenge is an auth_challenges row: single use, short lived, server side.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import delete, exists, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, generate_challenge, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ledger.auth.issuing import TokenPair
from ledger.auth.mfa import services as mfa
from ledger.auth.mfa.models import AuthChallenge, RecoveryCode, UserMfa, WebauthnCredential
from ledger.auth.models import User
from ledger.database import utcnow
from ledger.errors import Conflict, NotFound, PasskeyFailed
from ledger.extensions import db

events = logging.getLogger("ledger.auth")
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def rp_id() -> str:
    return current_app.config.get("WEBAUTHN_RP_ID") or (urlsplit(request.host_url).hostname or "localhost")


def origins() -> list[str]:
    configured = current_app.config.get("WEBAUTHN_ORIGINS")
    if configured:
        return list(configured)
    return [request.host_url.rstrip("/"), *current_app.config.get("CORS_ORIGINS", [])]


def _timeout_ms() -> int:
    return current_app.config["MFA_CHALLENGE_TTL"] * 1000


def _descriptors(user_id: int) -> list[PublicKeyCredentialDescriptor]:
    rows = db.session.execute(select(WebauthnCredential.credential_id, WebauthnCredential.transports)
                              .where(WebauthnCredential.user_id == user_id)).all()
    return [PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(cid),
        transports=[AuthenticatorTransport(t) for t in transports.split(",") if t in _TRANSPORTS] or None)
        for cid, transports in rows]


def list_passkeys(user_id: int) -> list[WebauthnCredential]:
    return list(db.session.execute(select(WebauthnCredential).where(WebauthnCredential.user_id == user_id)
                                   .order_by(WebauthnCredential.id)).scalars())


# -- registration -----------------------------------------------------------------------------------------------

def registration_options(user_id: int, session_id: int) -> tuple[str, dict[str, Any]]:
    """Options for navigator.credentials.create() and the challenge to send back. With a factor already on, the
    session needs a recent step-up (a stolen access token must not add its own passkey)."""
    mfa.require_step_up(user_id, session_id)
    user = db.session.get_one(User, user_id)
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=current_app.config["WEBAUTHN_RP_NAME"], user_name=user.email,
        user_id=str(user.id).encode(), user_display_name=user.display_name, timeout=_timeout_ms(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=_descriptors(user_id))
    token = mfa.new_challenge("passkey_register", user_id=user_id, session_id=session_id,
                              webauthn_challenge=bytes_to_base64url(options.challenge))
    db.session.commit()
    return token, options_to_json_dict(options)


def register(user_id: int, session_id: int, token: str, name: str, credential: dict[str, Any]) -> WebauthnCredential:
    row = mfa.open_challenge(token, "passkey_register", session_id=session_id)
    mfa.close_challenge(row)
    db.session.commit()
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(row.webauthn_challenge or ""),
            expected_rp_id=rp_id(), expected_origin=origins(), require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        events.info("passkey registration refused", extra={"event": "passkey_register_failed",
                                                           "user_id": user_id, "reason": str(error)[:200]})
        raise PasskeyFailed(f"The passkey could not be registered: {error}", status=422) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.execute(select(exists().where(WebauthnCredential.credential_id == credential_id))).scalar():
        raise Conflict("This passkey is already registered.")
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    stored = WebauthnCredential(
        user_id=user_id, credential_id=credential_id, public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count, name=name, created_at=utcnow(),
        transports=",".join(t for t in transports if t in _TRANSPORTS) if isinstance(transports, list) else "",
        backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backup_state=verified.credential_backed_up)
    db.session.add(stored)
    mfa.record_step_up(session_id, mfa.now())
    db.session.commit()
    events.info("passkey registered", extra={"event": "passkey_registered", "user_id": user_id,
                                             "passkey_id": stored.id})
    return stored


def remove(user_id: int, session_id: int, passkey_id: int) -> None:
    mfa.require_step_up(user_id, session_id)
    if mfa.rowcount_delete(delete(WebauthnCredential).where(WebauthnCredential.id == passkey_id,
                                                            WebauthnCredential.user_id == user_id)) != 1:
        db.session.rollback()
        raise NotFound("No such passkey.")
    totp_on = db.session.execute(select(exists().where(UserMfa.user_id == user_id,
                                                       UserMfa.totp_confirmed_at.is_not(None)))).scalar()
    keys_left = db.session.execute(select(exists().where(WebauthnCredential.user_id == user_id))).scalar()
    if not totp_on and not keys_left:
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.session.commit()
    events.info("passkey removed", extra={"event": "passkey_removed", "user_id": user_id, "passkey_id": passkey_id})


def rename(user_id: int, passkey_id: int, name: str) -> WebauthnCredential:
    stored = db.session.execute(select(WebauthnCredential).where(WebauthnCredential.id == passkey_id,
                                                                 WebauthnCredential.user_id == user_id)
                                ).scalar_one_or_none()
    if stored is None:
        raise NotFound("No such passkey.")
    stored.name = name
    db.session.commit()
    return stored


# -- assertions -------------------------------------------------------------------------------------------------

def _request_options(challenge: bytes, user_id: int | None) -> dict[str, Any]:
    options = generate_authentication_options(
        rp_id=rp_id(), challenge=challenge, timeout=_timeout_ms(),
        allow_credentials=_descriptors(user_id) if user_id is not None else [],
        user_verification=UserVerificationRequirement.REQUIRED)
    return options_to_json_dict(options)


def login_options() -> tuple[str, dict[str, Any]]:
    """A sign-in with a passkey alone: any discoverable credential of this site, user verification required."""
    challenge = generate_challenge()
    token = mfa.new_challenge("passkey_login", webauthn_challenge=bytes_to_base64url(challenge))
    db.session.commit()
    return token, _request_options(challenge, None)


def second_factor_options(user_id: int, login_token: str) -> dict[str, Any]:
    """The options of the login challenge `login_token` (just created) for a passkey as the second step."""
    challenge = generate_challenge()
    db.session.execute(update(AuthChallenge).where(AuthChallenge.token_hash == mfa.token_hash(login_token))
                       .values(webauthn_challenge=bytes_to_base64url(challenge)))
    db.session.commit()
    return _request_options(challenge, user_id)


def step_up_options(user_id: int, session_id: int) -> tuple[str, dict[str, Any]]:
    challenge = generate_challenge()
    token = mfa.new_challenge("step_up", user_id=user_id, session_id=session_id,
                              webauthn_challenge=bytes_to_base64url(challenge))
    db.session.commit()
    return token, _request_options(challenge, user_id)


def _verify(row: AuthChallenge, credential: dict[str, Any], user_id: int | None) -> WebauthnCredential:
    """The stored passkey that signed the challenge of `row` with user verification; its counters updated.
    The challenge is used up first, whatever the outcome."""
    mfa.close_challenge(row)
    db.session.commit()
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    stored = db.session.execute(select(WebauthnCredential).where(WebauthnCredential.credential_id == credential_id)
                                ).scalar_one_or_none() if isinstance(credential_id, str) else None
    if stored is None or (user_id is not None and stored.user_id != user_id) or not row.webauthn_challenge:
        raise PasskeyFailed()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(row.webauthn_challenge),
            expected_rp_id=rp_id(), expected_origin=origins(),
            credential_public_key=base64url_to_bytes(stored.public_key),
            credential_current_sign_count=stored.sign_count, require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        events.info("passkey refused", extra={"event": "passkey_failed", "user_id": stored.user_id,
                                              "reason": str(error)[:200]})
        raise PasskeyFailed() from None
    stored.sign_count, stored.backup_state, stored.last_used_at = \
        verified.new_sign_count, verified.credential_backed_up, utcnow()
    return stored


def login_with_passkey(token: str, credential: dict[str, Any], user_agent: str, ip: str) -> tuple[User, TokenPair]:
    from ledger.auth.sessions import open_session

    row = mfa.open_challenge(token, "passkey_login")
    stored = _verify(row, credential, None)
    user = db.session.get(User, stored.user_id)
    if user is None or not user.is_active:
        raise PasskeyFailed()
    return user, open_session(user, user_agent, ip, "passkey")


def complete_login(token: str, credential: dict[str, Any], user_agent: str, ip: str) -> tuple[User, TokenPair]:
    """The second step of a password login with a passkey of that user."""
    from ledger.auth.sessions import open_session

    row = mfa.open_challenge(token, "login")
    user = mfa.login_user(row)
    _verify(row, credential, user.id)
    return user, open_session(user, user_agent, ip, "passkey")


def step_up(user_id: int, session_id: int, token: str, credential: dict[str, Any]) -> None:
    row = mfa.open_challenge(token, "step_up", session_id=session_id)
    _verify(row, credential, user_id)
    mfa.record_step_up(session_id, mfa.now())
    db.session.commit()
