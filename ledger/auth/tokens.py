"""Issuing tokens, and the one-statement check on every authenticated request."""
from __future__ import annotations

import base64
import hashlib
import hmac
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


def _session_claims(version: int, session: Session) -> dict:
    # `sn` makes (sub, sid) unforgeable by id reuse: a row that later gets the same ids has another nonce.
    return {"ver": version, "sid": session.id, "sn": session.nonce}


def csrf_for(jti: str) -> str:
    """The CSRF value of the refresh token `jti`: derived, so that a refresh inside the grace window can name
    the value of the successor that the other tab's response put into the cookies."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"csrf:" + jti.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def issue_access_token(user_id: int, version: int, session: Session, now: datetime) -> tuple[str, int]:
    """An access token, never outliving its session."""
    ttl = min(current_app.config["ACCESS_TOKEN_TTL"], int((session.expires_at - now).total_seconds()))
    ttl = max(ttl, 1)
    token = create_access_token(identity=str(user_id), expires_delta=timedelta(seconds=ttl),
                                additional_claims={**_session_claims(version, session), "jti": new_jti()})
    return token, ttl


def issue_refresh_token(user_id: int, version: int, session: Session, jti: str,
                        expires_at: datetime, now: datetime) -> tuple[str, str]:
    """A refresh token carrying a CSRF value for the cookie transport's double submit."""
    csrf = csrf_for(jti)
    token = create_refresh_token(identity=str(user_id), expires_delta=expires_at - now,
                                 additional_claims={**_session_claims(version, session),
                                                    "jti": jti, "csrf": csrf})
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
    for claim in ("exp", "iat", "nbf", "jti", "iss", "aud"):
        # `is None`, not `in`: flask-jwt-extended fills a missing jti in as None.
        if claims.get(claim) is None:
            raise InvalidToken(f"The token has no `{claim}` claim.")
    return TokenIdentity(int(sub), ver, sid, nonce)


@dataclass
class AuthContext:
    user: User
    user_id: int
    session_id: int
    claims: dict


def _check_access_token(jwt_header: dict, claims: dict) -> bool:
    """flask-jwt-extended's "blocklist" hook: True means revoked.

    Signature, algorithm, exp/nbf, iss/aud and type were checked by the extension;
    this adds user active, `ver` current and session live in ONE statement. The session
    row must carry the token's nonce, so a row that reuses a deleted one's ids does not match.
    """
    ident = structural_claims(claims, "access")
    row = db.session.execute(
        select(User, Session.revoked_at, Session.expires_at)
        .join(Session, Session.user_id == User.id)
        .where(User.id == ident.user_id, Session.id == ident.session_id, Session.nonce == ident.session_nonce)
    ).one_or_none()
    if row is None:
        return True
    user, revoked_at, expires_at = row
    if not user.is_active or user.token_version != ident.version or revoked_at is not None \
            or expires_at <= utcnow():
        return True
    g.auth = AuthContext(user=user, user_id=ident.user_id, session_id=ident.session_id, claims=claims)
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
