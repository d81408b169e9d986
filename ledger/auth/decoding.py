"""Reading a token: the bearer header, the key its `kid` names, one verified decode and the claims' shape.

Nothing here reads the database: whether the token is still current is the check's (ledger.auth.check).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jwt as pyjwt
from flask import current_app, request

from ledger.auth.keys import header_kid
from ledger.database import parse_id
from ledger.errors import AuthorizationRequired, InvalidToken, TokenExpired


@dataclass(frozen=True)
class TokenIdentity:
    """What a token claims to be bound to: checked against the database in one statement."""

    user_id: int
    version: int
    session_id: int
    session_nonce: str


def structural_claims(claims: dict[str, Any], token_type: str) -> TokenIdentity:
    """The identity of a decoded token of `token_type`, or InvalidToken."""
    # flask-jwt-extended refuses only a `refresh` token where an access token is due, not any other type.
    if claims.get("type") != token_type:
        raise InvalidToken(f"Only {token_type} tokens are accepted here.")
    sub, ver, sid, nonce = claims.get("sub"), claims.get("ver"), claims.get("sid"), claims.get("sn")
    if not isinstance(ver, int) or isinstance(ver, bool):
        raise InvalidToken("The token has no integer `ver` claim.")
    if not isinstance(sid, int) or isinstance(sid, bool):
        raise InvalidToken("The token has no integer `sid` claim.")
    try:
        if not isinstance(sub, str):
            raise ValueError("not a string")
        user_id = parse_id(sub)
    except ValueError:
        raise InvalidToken("The token's subject is malformed.") from None
    if not isinstance(nonce, str) or len(nonce) != 32:
        raise InvalidToken("The token has no valid `sn` claim.")
    # exp, iat, nbf, iss, aud, sub and jti: required (not None) by decode's PyJWT call, which alone calls this.
    return TokenIdentity(user_id, ver, sid, nonce)


def _verification_key(token: str) -> str:
    """The listed key named by the token's `kid`; without a kid, the one key when only one is listed."""
    keys: dict[str, str] = current_app.config["JWT_VERIFY_KEYS"]
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


def decode(token: str, token_type: str) -> tuple[dict[str, Any], TokenIdentity]:
    """Verify a token with ONE PyJWT decode and check its structure, or raise InvalidToken/TokenExpired.

    flask-jwt-extended's decode_token parses a token three times (an unverified decode for its key
    callback, get_unverified_header, then the verified decode), and its view decorator once more for the
    header; PyJWT checks every base64 character in Python, so each parse is a visible part of a request
    (benchmarks/README.md). Its public hooks cannot skip those parses, so tokens are decoded here;
    flask-jwt-extended still creates them (ledger.auth.issuing), with the same settings.
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


def bearer_token() -> str:
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
