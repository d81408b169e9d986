"""Issuing tokens: the pair a login, a refresh or a password change hands out, signed by flask-jwt-extended."""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from ledger.auth.keys import key_id
from ledger.auth.models import RefreshToken, Session
from ledger.errors import AuthorizationRequired, InvalidToken, TokenExpired, handle_api_error
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


def _session_claims(version: int, session: Session) -> dict[str, Any]:
    # `sn` makes (sub, sid) unforgeable by id reuse: a row that later gets the same ids has another nonce.
    return {"ver": version, "sid": session.id, "sn": session.nonce}


def csrf_for(jti: str) -> str:
    """The CSRF value of the refresh token `jti`: derived, so that a refresh inside the grace window can name
    the value of the successor that the other tab's response put into the cookies."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"csrf:" + jti.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def _kid_header() -> dict[str, str]:
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


def issue_pair(user_id: int, version: int, session: Session, now: datetime, jti: str | None = None) -> TokenPair:
    """Store the refresh token `jti` (a new one by default) in `session` and sign both tokens.

    The refresh token lives REFRESH_TOKEN_IDLE unless the session ends first. The caller commits.
    """
    idle = timedelta(seconds=current_app.config["REFRESH_TOKEN_IDLE"])
    expires_at = min(now + idle, session.expires_at)
    jti = jti or new_jti()
    db.session.add(RefreshToken(jti=jti, session_id=session.id, issued_at=now, expires_at=expires_at))
    refresh, csrf = issue_refresh_token(user_id, version, session, jti, expires_at, now)
    access, expires_in = issue_access_token(user_id, version, session, now)
    return TokenPair(access, expires_in, refresh, csrf, expires_at)


def register_jwt_callbacks() -> None:
    """flask-jwt-extended only signs tokens here; should anything of it still refuse one, the answer is the
    same problem+json as ours (never its default 422)."""
    jwt.unauthorized_loader(lambda reason: handle_api_error(AuthorizationRequired(reason)))
    jwt.invalid_token_loader(lambda reason: handle_api_error(InvalidToken(f"Invalid token: {reason}")))
    jwt.expired_token_loader(lambda header, claims: handle_api_error(TokenExpired()))
