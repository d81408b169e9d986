"""Plain helpers of the auth tests: paths, Set-Cookie parsing, token claims, ORM access."""
from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import jwt as pyjwt
from sqlalchemy import update

from ledger.extensions import db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
SESSIONS = "/api/v1/auth/sessions"
REGISTER = "/api/v1/auth/register"
ME = "/api/v1/me"
COOKIE_PATH = "/api/v1/auth"


def now() -> datetime:
    return datetime.now(UTC)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def set_cookies(response) -> dict[str, dict]:
    """name → {"value": ..., attribute (lower-case) → value or True} of every Set-Cookie header."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        parsed: dict = {"value": value}
        for attribute in attributes:
            key, sep, val = attribute.partition("=")
            parsed[key.lower()] = val if sep else True
        cookies[name] = parsed
    return cookies


def claims_of(token: str) -> dict:
    """The claims of a token, without checking it (to copy them into a forged one)."""
    return pyjwt.decode(token, options={"verify_signature": False})


def fresh_claims(claims: dict, **changes) -> dict:
    """A copy of `claims` with a new jti and times around now, then `changes` applied (None deletes)."""
    issued = int(time.time())
    result = dict(claims, jti=uuid.uuid4().hex, iat=issued, nbf=issued, exp=issued + 600)
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


class Orm:
    """Timestamps go through the models' UTCDateTime type, identical on SQLite and PostgreSQL."""

    def __init__(self, app):
        self.app = app

    def scalar(self, statement):
        with self.app.app_context():
            return db.session.execute(statement).scalar()

    def get(self, model, key):
        with self.app.app_context():
            return db.session.get(model, key)

    def all(self, statement) -> list:
        with self.app.app_context():
            return list(db.session.execute(statement).scalars())

    def update(self, model, *where, **values) -> None:
        with self.app.app_context():
            db.session.execute(update(model).where(*where).values(**values))
            db.session.commit()
