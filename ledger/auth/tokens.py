"""Issuing tokens, and the one-statement check on every authenticated request."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
from flask import current_app, g, request
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import Integer, and_, bindparam, func, select
from sqlalchemy.exc import DBAPIError

from ledger.auth.keys import header_kid, key_id
from ledger.auth.models import Session, User
from ledger.auth.state import auth_state
from ledger.database import utcnow
from ledger.errors import AuthorizationRequired, InvalidToken, TokenExpired, TokenRevoked, handle_api_error
from ledger.extensions import db, jwt
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.models import Ledger, LedgerMember


@dataclass
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    csrf_token: str | None = None
    refresh_expires_at: datetime | None = None


def new_jti() -> str:
    return uuid.uuid4().hex


def _session_claims(version: int, session: Session) -> dict:
    # `sn` makes (sub, sid) unforgeable by id reuse: a row that later gets the same ids has another nonce.
    return {"ver": version, "sid": session.id, "sn": session.nonce}


def csrf_for(jti: str) -> str:
    """The CSRF value of the refresh token `jti`: derived, so that a refresh inside the grace window can name
    the value of the successor that the other tab's response put into the cookies."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"csrf:" + jti.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def _kid_header() -> dict:
    """flask-jwt-extended signs with JWT_SECRET_KEY, the first of JWT_SECRET_KEYS: name it."""
    return {"kid": key_id(current_app.config["JWT_SECRET_KEY"])}


def issue_access_token(user_id: int, version: int, session: Session, now: datetime) -> tuple[str, int]:
    """An access token, never outliving its session."""
    ttl = min(current_app.config["ACCESS_TOKEN_TTL"], int((session.expires_at - now).total_seconds()))
    ttl = max(ttl, 1)
    token = create_access_token(identity=str(user_id), expires_delta=timedelta(seconds=ttl),
                                additional_claims={**_session_claims(version, session), "jti": new_jti()},
                                additional_headers=_kid_header())
    return token, ttl


def issue_refresh_token(user_id: int, version: int, session: Session, jti: str,
                        expires_at: datetime, now: datetime) -> tuple[str, str]:
    """A refresh token carrying a CSRF value for the cookie transport's double submit."""
    csrf = csrf_for(jti)
    token = create_refresh_token(identity=str(user_id), expires_delta=expires_at - now,
                                 additional_claims={**_session_claims(version, session),
                                                    "jti": jti, "csrf": csrf},
                                 additional_headers=_kid_header())
    return token, csrf


@dataclass(frozen=True)
class TokenIdentity:
    """What a token claims to be bound to: checked against the database in one statement."""

    user_id: int
    version: int
    session_id: int
    session_nonce: str


def structural_claims(claims: dict, token_type: str) -> TokenIdentity:
    """The identity of a decoded token of `token_type`, or InvalidToken."""
    # flask-jwt-extended refuses only a `refresh` token where an access token is due, not any other type.
    if claims.get("type") != token_type:
        raise InvalidToken(f"Only {token_type} tokens are accepted here.")
    sub, ver, sid, nonce = claims.get("sub"), claims.get("ver"), claims.get("sid"), claims.get("sn")
    if not isinstance(ver, int) or isinstance(ver, bool):
        raise InvalidToken("The token has no integer `ver` claim.")
    if not isinstance(sid, int) or isinstance(sid, bool):
        raise InvalidToken("The token has no integer `sid` claim.")
    # isascii: str.isdigit() also accepts "²" (int() then raises) and other scripts' digits.
    if not isinstance(sub, str) or not (sub.isascii() and sub.isdigit()) or len(sub) > 18:
        raise InvalidToken("The token's subject is malformed.")
    if not isinstance(nonce, str) or len(nonce) != 32:
        raise InvalidToken("The token has no valid `sn` claim.")
    # exp, iat, nbf, iss, aud, sub and jti: required (not None) by decode's PyJWT call, which alone calls this.
    return TokenIdentity(int(sub), ver, sid, nonce)


@dataclass(frozen=True)
class AuthUser:
    """The caller's user row as the auth check read it: enough for every read and for the responses.

    Not an ORM object: a service that changes the user loads it (`db.session.get(User, id)`).
    """

    id: int
    email: str
    display_name: str
    created_at: datetime
    default_ledger_id: int | None


@dataclass
class AuthContext:
    user: AuthUser
    user_id: int
    session_id: int
    claims: dict
    # The request's ledger (`/ledgers/{id}/...`, else the default one) when the caller is a member of it.
    ledger: LedgerScope | None = None


# The one statement of every authenticated request, built once (compiled once by SQLAlchemy's cache):
# the user's row joined to the token's session, matched on the session's nonce too, and to the caller's
# membership of the request's ledger (the path's `ledger_id`, else the user's default ledger) with that
# ledger's settings. Outer joins: not being a member is a 404 of the route, not a failed authentication.
_AUTH_CHECK = (
    select(User.id, User.email, User.display_name, User.created_at, User.default_ledger_id, User.is_active,
           User.token_version, User.membership_version, Session.revoked_at, Session.expires_at,
           LedgerMember.role, Ledger.id.label("ledger_id"), Ledger.name.label("ledger_name"),
           Ledger.currency, Ledger.month_start_day)
    .join(Session, Session.user_id == User.id)
    .outerjoin(LedgerMember, and_(LedgerMember.user_id == User.id,
                                  LedgerMember.ledger_id == func.coalesce(bindparam("ledger_id", type_=Integer),
                                                                          User.default_ledger_id)))
    .outerjoin(Ledger, Ledger.id == LedgerMember.ledger_id)
    .where(User.id == bindparam("user_id"), Session.id == bindparam("session_id"),
           Session.nonce == bindparam("nonce"))
)


def _verification_key(token: str) -> str:
    """The listed key named by the token's `kid`; without a kid, the one key when only one is listed."""
    keys = current_app.config["JWT_VERIFY_KEYS"]
    try:
        kid = header_kid(token)
    except ValueError as error:
        raise InvalidToken(f"Invalid token: {error}") from None
    if kid is None:
        if len(keys) != 1:
            raise InvalidToken("Invalid token: no `kid`, and several keys are configured")
        return next(iter(keys.values()))
    if kid not in keys:
        raise InvalidToken("Invalid token: unknown `kid` (its key was removed, or never ours)")
    return keys[kid]


def decode(token: str, token_type: str) -> tuple[dict, TokenIdentity]:
    """Verify a token with ONE PyJWT decode and check its structure, or raise InvalidToken/TokenExpired.

    flask-jwt-extended's decode_token parses a token three times (an unverified decode for its key
    callback, get_unverified_header, then the verified decode), and its view decorator once more for the
    header; PyJWT checks every base64 character in Python, so that was ~0.4 ms of a ~1.3 ms request.
    Its public hooks cannot skip those parses, so tokens are decoded here; flask-jwt-extended still
    creates them (create_access_token / create_refresh_token), with the same settings.
    """
    cfg = current_app.config
    try:
        claims = pyjwt.decode(token, _verification_key(token), algorithms=cfg["JWT_DECODE_ALGORITHMS"],
                              audience=cfg["JWT_DECODE_AUDIENCE"], issuer=cfg["JWT_DECODE_ISSUER"],
                              options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]})
    except pyjwt.ExpiredSignatureError:
        raise TokenExpired() from None
    except pyjwt.InvalidTokenError as error:
        raise InvalidToken(f"Invalid token: {error}") from None
    return claims, structural_claims(claims, token_type)


def _bearer_token() -> str:
    """The token of `Authorization: Bearer <token>` (RFC 6750), as flask-jwt-extended reads it."""
    header = request.headers.get("Authorization", "").strip().strip(",")
    if not header:
        raise AuthorizationRequired("Missing Authorization Header")
    bearer = [value for value in re.split(r",\s*", header) if value.split()[:1] == ["Bearer"]]
    if len(bearer) != 1:
        raise AuthorizationRequired("Missing 'Bearer' type in 'Authorization' header. "
                                    "Expected 'Authorization: Bearer <JWT>'")
    parts = bearer[0].split()
    if len(parts) != 2:
        raise InvalidToken("Bad Authorization header. Expected 'Authorization: Bearer <JWT>'")
    return parts[1]


def _autocommit_engine():
    """The engine the check runs on, built once per app (execution_options() makes a new OptionEngine on every
    call, ~0.1-0.2 ms of a request: benchmarks/auth_breakdown.py).

    PostgreSQL: the app's engine with AUTOCOMMIT (same pool), so the read sends no BEGIN and no ROLLBACK.
    SQLite: the app's engine as it is. pysqlite begins a transaction only before a write, so a SELECT sends
    nothing more; AUTOCOMMIT would instead run `PRAGMA read_uncommitted` each time the connection goes back to
    the pool (~0.08 ms of a request, benchmarks/README.md).
    """
    extensions = current_app.extensions
    engine = extensions.get("ledger-autocommit-engine")
    if engine is None:
        engine = db.engine if db.engine.dialect.name == "sqlite" else \
            db.engine.execution_options(isolation_level="AUTOCOMMIT")
        extensions["ledger-autocommit-engine"] = engine
    return engine


def _auth_row(ident: TokenIdentity, ledger_id: int | None):
    """Run the check on an autocommit connection: no BEGIN/ROLLBACK round trips for one read.

    There is no pool pre-ping either (another round trip per request): a connection that died with the
    database fails here, SQLAlchemy then invalidates the pool, and this read-only statement is retried
    once on a fresh connection.
    """
    params = {"user_id": ident.user_id, "session_id": ident.session_id, "nonce": ident.session_nonce,
              "ledger_id": ledger_id}
    engine = _autocommit_engine()
    try:
        with engine.connect() as connection:
            return connection.execute(_AUTH_CHECK, params).first()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with engine.connect() as connection:
        return connection.execute(_AUTH_CHECK, params).first()


def authenticate() -> AuthContext:
    """Signature, algorithm, exp/nbf, iss/aud and type (one decode), then user active, `ver` current and
    session live and bound (one statement). The result is `current_auth()` for the rest of the request."""
    claims, ident = decode(_bearer_token(), "access")
    # Set by ledger.ledgers.scope from `/api/v1/ledgers/{id}/...`; None means the user's default ledger.
    ledger_id = g.get("path_ledger_id")
    state = auth_state()
    cached = state.lookup(ident.user_id, ident.session_id, ident.session_nonce, ident.version, ledger_id) \
        if state else None
    if cached is not None:
        user = AuthUser(cached.id, cached.email, cached.display_name, datetime.fromtimestamp(cached.created_at, UTC),
                        cached.default_ledger_id)
        ledger = None if cached.ledger is None else LedgerScope(*cached.ledger, user_id=ident.user_id)
        g.auth = AuthContext(user=user, user_id=ident.user_id, session_id=ident.session_id, claims=claims,
                             ledger=ledger)
        return g.auth
    row = _auth_row(ident, ledger_id)
    if row is not None and state is not None:
        state.fill(row, ident.session_id, ident.session_nonce, row.expires_at, row.revoked_at is not None, ledger_id)
    if row is None or not row.is_active or row.token_version != ident.version or row.revoked_at is not None \
            or row.expires_at <= utcnow():
        raise TokenRevoked()
    user = AuthUser(row.id, row.email, row.display_name, row.created_at, row.default_ledger_id)
    ledger = None if row.role is None else LedgerScope(row.ledger_id, row.ledger_name, row.currency,
                                                       row.month_start_day, row.role, ident.user_id)
    g.auth = AuthContext(user=user, user_id=ident.user_id, session_id=ident.session_id, claims=claims,
                         ledger=ledger)
    return g.auth


def current_auth() -> AuthContext:
    return g.auth


def auth_required(fn):
    """Require a valid, unrevoked access token (from the Authorization header only)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        authenticate()
        return fn(*args, **kwargs)

    return wrapper


def register_jwt_callbacks() -> None:
    """flask-jwt-extended only signs tokens here; should anything of it still refuse one, the answer is the
    same problem+json as ours (never its default 422)."""
    jwt.unauthorized_loader(lambda reason: handle_api_error(AuthorizationRequired(reason)))
    jwt.invalid_token_loader(lambda reason: handle_api_error(InvalidToken(f"Invalid token: {reason}")))
    jwt.expired_token_loader(lambda header, claims: handle_api_error(TokenExpired()))
