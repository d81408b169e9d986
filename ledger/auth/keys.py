"""Signing keys and their ids (`kid`), for rotation without signing everyone out (JWT_SECRET_KEYS)."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

# What our kids look like; anything else (a path, a URL, an injection) is refused before any lookup.
KID_PATTERN = re.compile(r"^[0-9a-f]{16}$")


def key_id(key: str) -> str:
    """A public, stable id of a key: the same on every host that has the key, and no help to guess it."""
    return hashlib.sha256(b"ledger-jwt-kid:" + key.encode()).hexdigest()[:16]


def header_kid(token: str) -> str | None:
    """The `kid` of a compact JWS's protected header (None when absent), or ValueError when malformed.

    Only the short header segment is decoded: the token is decoded once more, in full, when verified.
    """
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("malformed header") from None
    if not isinstance(header, dict):
        raise ValueError("malformed header")
    kid = header.get("kid")
    if kid is not None and not (isinstance(kid, str) and KID_PATTERN.match(kid)):
        raise ValueError("malformed kid")
    return kid
