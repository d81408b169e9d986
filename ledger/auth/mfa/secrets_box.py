"""TOTP secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) under MFA_ENCRYPTION_KEYS, rotatable like
JWT_SECRET_KEYS: the first key encrypts, every key decrypts, and a secret is re-encrypted with the first key
each time it is used (MultiFernet.rotate)."""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _fernet_key(secret: str) -> bytes:
    """Any configured text (≥ 32 bytes in production) becomes a Fernet key: SHA-256 with a purpose label."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"ledger-mfa-totp:" + secret.encode()).digest())


@lru_cache(maxsize=8)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _keys() -> tuple[str, ...]:
    cfg = current_app.config
    return tuple(cfg.get("MFA_ENCRYPTION_KEYS") or [cfg["SECRET_KEY"]])


def encrypt(plain: str) -> str:
    return _box(_keys()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The secret; a token no configured key opens is a configuration error (a 500 that says so in the log)."""
    try:
        return _box(_keys()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError("a TOTP secret cannot be decrypted with any of MFA_ENCRYPTION_KEYS") from None


def rotate(token: str) -> str:
    """The same secret under the first key (unchanged text when it already is)."""
    return _box(_keys()).rotate(token.encode()).decode()
