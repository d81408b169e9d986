"""/api/v1/auth and /api/v1/me: thin routes over ledger.auth.sessions and ledger.auth.users."""
from __future__ import annotations

import hmac
from datetime import datetime

from flask import after_this_request, current_app, jsonify, request

from ledger.auth import sessions, users
from ledger.auth.check import auth_required, current_auth
from ledger.auth.decoding import decode
from ledger.auth.issuing import TokenPair
from ledger.auth.mfa import services as mfa
from ledger.auth.schemas import (
    DeleteMeSchema,
    LoginSchema,
    PasswordChangeSchema,
    ProfilePatchSchema,
    RefreshBodySchema,
    RegisterSchema,
    SessionListSchema,
    TokenSchema,
    UserSchema,
)
from ledger.blueprint import Blueprint
from ledger.database import parse_id
from ledger.errors import AuthorizationRequired, CsrfFailed, NotFound, ValidationFailed
from ledger.extensions import limiter
from ledger.ledgers import services as ledgers
from ledger.ledgers.scope import check_owner, current_ledger
from ledger.openapi import documented_errors
from ledger.request_hooks import client_address, user_agent

auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Login, tokens and sessions")
me_blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The current user")

REFRESH_COOKIE_PATH = "/api/v1/auth"
SESSION_ID_PARAMETER = {
    "in": "path", "name": "session_id", "required": True,
    "description": "a session id from GET /auth/sessions, or `current` for the caller's own session",
    "schema": {"type": "string", "pattern": "^(current|[0-9]{1,11})$", "maxLength": 11, "example": "current"},
}


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "account:" + (users.normalize_email(email) if isinstance(email, str) else "")


def _cookie_mode() -> bool:
    return current_app.config["REFRESH_TOKEN_TRANSPORT"] == "cookie"


def _set_refresh_cookies(pair: TokenPair) -> None:
    cfg = current_app.config

    @after_this_request
    def set_cookies(response):
        expires: datetime | None = pair.refresh_expires_at
        response.set_cookie(cfg["REFRESH_COOKIE_NAME"], pair.refresh_token, expires=expires, httponly=True,
                            secure=cfg["COOKIE_SECURE"], samesite="Strict", path=REFRESH_COOKIE_PATH)
        # Readable by the SPA's JavaScript, which echoes it in X-CSRF-TOKEN.
        response.set_cookie(cfg["CSRF_COOKIE_NAME"], pair.csrf_token, expires=expires, httponly=False,
                            secure=cfg["COOKIE_SECURE"], samesite="Strict", path="/")
        return response


def _clear_refresh_cookies() -> None:
    cfg = current_app.config
    if not _cookie_mode():
        return

    @after_this_request
    def clear(response):
        response.delete_cookie(cfg["REFRESH_COOKIE_NAME"], path=REFRESH_COOKIE_PATH, httponly=True,
                               secure=cfg["COOKIE_SECURE"], samesite="Strict")
        response.delete_cookie(cfg["CSRF_COOKIE_NAME"], path="/", secure=cfg["COOKIE_SECURE"],
                               samesite="Strict")
        return response


def mfa_challenge_response(result: sessions.LoginResult):
    """The first step's answer when a second factor is on (documented as the second shape of 200 by
    ledger.auth.mfa.routes.document_login)."""
    from ledger.auth.mfa.passkeys import second_factor_options

    body = {"mfa_required": True, "challenge": result.challenge, "methods": result.methods,
            "expires_in": current_app.config["MFA_CHALLENGE_TTL"]}
    if "passkey" in result.methods and result.challenge is not None:
        body["passkey_options"] = second_factor_options(result.user.id, result.challenge)
    return jsonify(body)


def _token_body(pair: TokenPair, user=None) -> dict:
    body = {"access_token": pair.access_token, "token_type": "Bearer", "expires_in": pair.expires_in}
    if user is not None:
        body["user"] = ledgers.user_profile(user)
    if _cookie_mode():
        # An SPA on another origin (CORS_ORIGINS) cannot read the API's csrf cookie; it echoes this instead.
        body["csrf_token"] = pair.csrf_token
        if pair.refresh_token:
            _set_refresh_cookies(pair)
    elif pair.refresh_token:
        body["refresh_token"] = pair.refresh_token
    return body


def _allowed_origin(origin: str) -> bool:
    own = request.host_url.rstrip("/")
    return origin.rstrip("/") in set(current_app.config["CORS_ORIGINS"]) | {own}


def _refresh_token_from_request(args: dict) -> str:
    """The refresh token of the configured transport, with the cookie mode's CSRF checks."""
    if not _cookie_mode():
        token = args.get("refresh_token")
        if not token:
            raise ValidationFailed(errors={"refresh_token": ["Missing data for required field."]})
        return token
    token = request.cookies.get(current_app.config["REFRESH_COOKIE_NAME"])
    if not token:
        raise AuthorizationRequired("No refresh token cookie was sent.")
    origin = request.headers.get("Origin")
    if origin is not None and not _allowed_origin(origin):
        raise CsrfFailed("The request's Origin is not allowed.")
    return token


@auth_blp.route("/register", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"])
@auth_blp.arguments(RegisterSchema)
@auth_blp.response(201, UserSchema)
@documented_errors(auth_blp, 400, 403, 409, 413, 415, 422, 429)
def register(args):
    """Create an account (with its default accounts and categories)."""
    user = users.create_user(args["email"], args["password"], display_name=args.get("display_name"),
                             currency=args.get("currency"), locale=args.get("locale") or ledgers.request_locale(),
                             check_registration=True)
    return ledgers.user_profile(user)


@auth_blp.route("/login", methods=["POST"])
@limiter.limit(_login_limit)
@limiter.limit(_login_limit, key_func=_account_key, deduct_when=lambda response: response.status_code == 401)
@auth_blp.arguments(LoginSchema)
@auth_blp.response(200, TokenSchema)
@documented_errors(auth_blp, 400, 401, 413, 415, 422, 429)
def login(args):
    """Exchange email and password for an access token and a refresh token (new session). When the user has a
    second factor on, the answer is instead `{"mfa_required": true, "challenge", "methods", "expires_in"}` with no
    token and no cookie: finish with POST /auth/login/mfa (or /auth/login/passkey) within 5 minutes."""
    result = sessions.login(args["email"], args["password"], user_agent(), client_address())
    if result.pair is None:
        return mfa_challenge_response(result)
    return _token_body(result.pair, result.user)


@auth_blp.route("/refresh", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REFRESH"])
@auth_blp.arguments(RefreshBodySchema, required=False)  # the cookie transport sends none
@auth_blp.response(200, TokenSchema)
@documented_errors(auth_blp, 400, 401, 413, 415, 422, 429)
def refresh(args):
    """Rotate the refresh token (cookie + X-CSRF-TOKEN, or body) and get a new access token."""
    token = _refresh_token_from_request(args)
    sent = request.headers.get("X-CSRF-TOKEN", "")
    if _cookie_mode() and not sent:
        raise CsrfFailed("A cookie-borne refresh needs the X-CSRF-TOKEN header.")
    claims, ident = decode(token, "refresh")
    if _cookie_mode():
        expected = claims.get("csrf")
        if not isinstance(expected, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise CsrfFailed("X-CSRF-TOKEN does not match the csrf_refresh_token cookie.")
    result = sessions.refresh(claims, ident, user_agent(), client_address())
    return _token_body(result.pair)


@auth_blp.route("/logout", methods=["POST"])
@auth_required
@auth_blp.response(204)
@documented_errors(auth_blp, auth=True)
def logout():
    """Log out everywhere: every access and refresh token of the user stops working."""
    ctx = current_auth()
    sessions.logout(ctx.user_id, ctx.session_id)
    _clear_refresh_cookies()


@auth_blp.route("/sessions", methods=["GET"])
@auth_required
@auth_blp.response(200, SessionListSchema)
@documented_errors(auth_blp, auth=True)
def list_sessions():
    """The user's live sessions (devices); `current` marks the caller's."""
    ctx = current_auth()
    items = [{"id": s.id, "created_at": s.created_at, "last_used_at": s.last_used_at,
              "user_agent": s.user_agent, "ip": s.ip, "current": s.id == ctx.session_id, "factor": s.factor}
             for s in sessions.list_sessions(ctx.user.id)]
    return {"items": items}


@auth_blp.route("/sessions/<string:session_id>", methods=["DELETE"], parameters=[SESSION_ID_PARAMETER])
@auth_required
@auth_blp.response(204)
@documented_errors(auth_blp, 404, auth=True)
def end_session(session_id: str):
    """End one session ("log out this device"); `current` names the caller's own."""
    ctx = current_auth()
    if session_id == "current":
        target = ctx.session_id
    else:
        try:
            target = parse_id(session_id)
        except ValueError:
            raise NotFound("No such session.") from None
    sessions.end_session(ctx.user.id, target)
    if target == ctx.session_id:
        _clear_refresh_cookies()


@me_blp.route("", methods=["GET"])
@auth_required
@me_blp.response(200, UserSchema)
@documented_errors(me_blp, auth=True)
def get_me():
    """The current user, with the currency and month_start_day of their default ledger."""
    ctx = current_auth()
    return ledgers.profile_of_caller(ctx.user, ctx.ledger)


@me_blp.route("", methods=["PATCH"])
@auth_required
@me_blp.arguments(ProfilePatchSchema, required=False)  # no body: nothing changes
@me_blp.response(200, UserSchema)
@documented_errors(me_blp, 400, 403, 404, 413, 415, 422, auth=True)
def patch_me(args):
    """Change the display name, the default ledger, or the day the default ledger's accounting month starts
    (its owners only: the household shares it)."""
    ctx = current_auth()
    ledger = None
    if "month_start_day" in args:  # checked before anything changes; it is the (new) default ledger's
        ledger = ledgers.future_default_scope(ctx.user_id, args["default_ledger_id"]) \
            if "default_ledger_id" in args else current_ledger()
        check_owner(ledger)
    user = users.update_profile(ctx.user_id, args)
    if ledger is not None:
        ledgers.update_ledger(ledger, {"month_start_day": args["month_start_day"]})
    return ledgers.user_profile(user)


@me_blp.route("", methods=["DELETE"])
@auth_required
@me_blp.arguments(DeleteMeSchema)
@me_blp.response(204)
@documented_errors(me_blp, 400, 403, 413, 415, 422, auth=True)
def delete_me(args):
    """Delete the account and all its data (the password confirms it; with a second factor on, a step-up within
    5 minutes too: 403 step_up_required)."""
    ctx = current_auth()
    mfa.require_step_up(ctx.user_id, ctx.session_id)
    users.delete_account(ctx.user_id, args["password"])
    _clear_refresh_cookies()


@me_blp.route("/password", methods=["POST"])
@auth_required
@me_blp.arguments(PasswordChangeSchema)
@me_blp.response(200, TokenSchema)
@documented_errors(me_blp, 400, 403, 413, 415, 422, auth=True)
def change_password(args):
    """Change the password: other sessions end, the caller gets a fresh token pair. With a second factor on, a
    step-up within 5 minutes is needed first (403 step_up_required)."""
    ctx = current_auth()
    mfa.require_step_up(ctx.user_id, ctx.session_id)
    user, pair = users.change_password(ctx.user_id, ctx.session_id, args["current_password"],
                                          args["new_password"])
    return _token_body(pair, user)


def document_refresh_transport(api, config) -> None:
    """Make the OpenAPI document describe the configured transport, so that a generated client is right.

    The routes are declared once for every app; the transport is per app. flask-smorest has no per-app
    hook for an operation's documentation, so the finished entries (apispec's components and paths
    dicts) are rewritten here, after the blueprints are registered.
    """
    components, paths = api.spec.components, api.spec._paths
    token = components.schemas["Token"]
    operation = paths[REFRESH_COOKIE_PATH + "/refresh"]["post"]
    if config["REFRESH_TOKEN_TRANSPORT"] == "body":
        del token["properties"]["csrf_token"]
        token["properties"]["refresh_token"]["description"] = \
            "the next refresh token; absent from a refresh answered inside the grace window"
        components.schemas["RefreshBody"]["required"] = ["refresh_token"]
        components.schemas["RefreshBody"]["properties"]["refresh_token"].pop("description", None)
        operation["requestBody"]["required"] = True
        return
    del token["properties"]["refresh_token"]
    token["properties"]["csrf_token"]["description"] = \
        "send it as X-CSRF-TOKEN on the next refresh (equal to the csrf cookie, for SPAs on another origin)"
    token["required"] = sorted({*token["required"], "csrf_token"})
    components.security_scheme("refreshCookie", {
        "type": "apiKey", "in": "cookie", "name": config["REFRESH_COOKIE_NAME"],
        "description": f"HttpOnly, SameSite=Strict, Path={REFRESH_COOKIE_PATH}; set by login and refresh"})
    del operation["requestBody"]  # the cookie carries the token; a body is ignored
    operation["security"] = [{"refreshCookie": []}]
    operation["parameters"] = [{
        "in": "header", "name": "X-CSRF-TOKEN", "required": True, "schema": {"type": "string", "maxLength": 256},
        "description": "the csrf_token of the last login or refresh (also in the readable cookie "
                       f"{config['CSRF_COOKIE_NAME']})"}]
