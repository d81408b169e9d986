"""Issuing tokens, and the one-statement check on every authenticated request."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g
from flask_jwt_extended import create_access_token, create_refresh_token, jwt_required
from sqlalchemy import select

from ledger.auth.models import Session, User
from ledger.database import utcnow
from ledger.errors import InvalidToken, problem
from ledger.extensions import db, jwt


@dataclass
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    csrf_token: str | None = None
    refresh_expires_at: datetime | None = None


def new_jti() -> str:
    return uuid.uuid4().hex


def issue_access_token(user_id: int, version: int, session_id: int, session_expires_at: datetime,
                       now: datetime) -> tuple[str, int]:
    """An access token, never outliving its session."""
    ttl = min(current_app.config["ACCESS_TOKEN_TTL"], int((session_expires_at - now).total_seconds()))
    ttl = max(ttl, 1)
    token = create_access_token(identity=str(user_id), expires_delta=timedelta(seconds=ttl),
                                additional_claims={"ver": version, "sid": session_id, "jti": new_jti()})
    return token, ttl


def issue_refresh_token(user_id: int, version: int, session_id: int, jti: str,
                        expires_at: datetime, now: datetime) -> tuple[str, str]:
    """A refresh token carrying a CSRF value for the cookie transport's double submit."""
    csrf = secrets.token_urlsafe(24)
    token = create_refresh_token(identity=str(user_id), expires_delta=expires_at - now,
                                 additional_claims={"ver": version, "sid": session_id,
                                                    "jti": jti, "csrf": csrf})
    return token, csrf


def structural_claims(claims: dict) -> tuple[int, int, int]:
    """(user id, version, session id) of a decoded token, or InvalidToken."""
    sub, ver, sid = claims.get("sub"), claims.get("ver"), claims.get("sid")
    if not isinstance(ver, int) or isinstance(ver, bool):
        raise InvalidToken("The token has no integer `ver` claim.")
    if not isinstance(sid, int) or isinstance(sid, bool):
        raise InvalidToken("The token has no integer `sid` claim.")
    # isascii: str.isdigit() also accepts "²" (int() then raises) and other scripts' digits.
    if not isinstance(sub, str) or not (sub.isascii() and sub.isdigit()) or len(sub) > 18:
        raise InvalidToken("The token's subject is malformed.")
    for claim in ("exp", "iat", "nbf", "jti", "iss", "aud"):
        # `is None`, not `in`: flask-jwt-extended fills a missing jti in as None.
        if claims.get(claim) is None:
            raise InvalidToken(f"The token has no `{claim}` claim.")
    return int(sub), ver, sid


@dataclass
class AuthContext:
    user: User
    user_id: int
    session_id: int
    claims: dict


def _check_access_token(jwt_header: dict, claims: dict) -> bool:
    """flask-jwt-extended's "blocklist" hook: True means revoked.

    Signature, algorithm, exp/nbf, iss/aud and type were checked by the extension;
    this adds user active, `ver` current and session live in ONE statement.
    """
    if claims.get("type") != "access":
        raise InvalidToken("Only access tokens are accepted here.")
    user_id, version, session_id = structural_claims(claims)
    row = db.session.execute(
        select(User, Session.revoked_at, Session.expires_at)
        .join(Session, Session.user_id == User.id)
        .where(User.id == user_id, Session.id == session_id)
    ).one_or_none()
    if row is None:
        return True
    user, revoked_at, expires_at = row
    if not user.is_active or user.token_version != version or revoked_at is not None \
            or expires_at <= utcnow():
        return True
    g.auth = AuthContext(user=user, user_id=user_id, session_id=session_id, claims=claims)
    return False


def current_auth() -> AuthContext:
    return g.auth


def auth_required(fn):
    """Require a valid, unrevoked access token (from the Authorization header only)."""
    return jwt_required()(fn)


def register_jwt_callbacks() -> None:
    """flask-jwt-extended's answers, in our problem+json shape with 401 (never its 422)."""
    jwt.token_in_blocklist_loader(_check_access_token)
    jwt.user_lookup_loader(lambda header, claims: g.auth.user)
    jwt.unauthorized_loader(lambda reason: problem(401, "authorization_required",
                                                   "An access token is required."))
    jwt.invalid_token_loader(lambda reason: problem(401, "invalid_token", f"Invalid token: {reason}"))
    jwt.expired_token_loader(lambda header, claims: problem(401, "token_expired", "The token has expired."))
    jwt.revoked_token_loader(lambda header, claims: problem(401, "token_revoked",
                                                            "The token has been revoked."))
    jwt.user_lookup_error_loader(lambda header, claims: problem(401, "token_revoked",
                                                                "The token has been revoked."))
