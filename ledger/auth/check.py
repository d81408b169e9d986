"""The check on every authenticated request: one decode, then one statement (or the Redis copy), and the
`auth_required` decorator that runs it."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from flask import current_app, g
from sqlalchemy import Integer, and_, bindparam, func, select
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import DBAPIError

from ledger.auth.decoding import TokenIdentity, bearer_token, decode
from ledger.auth.models import Session, User
from ledger.auth.state import auth_state
from ledger.database import utcnow
from ledger.errors import TokenRevoked
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.models import Ledger, LedgerMember


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
    claims: dict[str, Any]
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


def _autocommit_engine() -> Engine:
    """The engine the check runs on, built once per app: execution_options() makes a new OptionEngine on
    every call, which a per-request call would pay each time (benchmarks/README.md).

    PostgreSQL: the app's engine with AUTOCOMMIT (same pool), so the read sends no BEGIN and no ROLLBACK.
    SQLite: the app's engine as it is. pysqlite begins a transaction only before a write, so a SELECT sends
    nothing more; AUTOCOMMIT would instead run `PRAGMA read_uncommitted` each time the connection goes back to
    the pool (benchmarks/README.md, "Auth check on SQLite without AUTOCOMMIT").
    """
    extensions = current_app.extensions
    engine = extensions.get("ledger-autocommit-engine")
    if engine is None:
        engine = db.engine if db.engine.dialect.name == "sqlite" else \
            db.engine.execution_options(isolation_level="AUTOCOMMIT")
        extensions["ledger-autocommit-engine"] = engine
    return engine


def _auth_row(ident: TokenIdentity, ledger_id: int | None) -> Row[*tuple[Any, ...]] | None:
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
    claims, ident = decode(bearer_token(), "access")
    # Set by ledger.ledgers.scope from `/api/v1/ledgers/{id}/...`; None means the user's default ledger.
    ledger_id = g.get("path_ledger_id")
    state = auth_state()
    cached = state.lookup(ident.user_id, ident.session_id, ident.session_nonce, ident.version, ledger_id) \
        if state else None
    if cached is not None:
        user = AuthUser(cached.id, cached.email, cached.display_name, datetime.fromtimestamp(cached.created_at, UTC),
                        cached.default_ledger_id)
        ledger = None if cached.ledger is None else LedgerScope(*cached.ledger, user_id=ident.user_id)
        g.auth = context = AuthContext(user=user, user_id=ident.user_id, session_id=ident.session_id,
                                       claims=claims, ledger=ledger)
        return context
    row = _auth_row(ident, ledger_id)
    if row is not None and state is not None:
        state.fill(row, ident.session_id, ident.session_nonce, row.expires_at, row.revoked_at is not None, ledger_id)
    if row is None or not row.is_active or row.token_version != ident.version or row.revoked_at is not None \
            or row.expires_at <= utcnow():
        raise TokenRevoked()
    user = AuthUser(row.id, row.email, row.display_name, row.created_at, row.default_ledger_id)
    ledger = None if row.role is None else LedgerScope(row.ledger_id, row.ledger_name, row.currency,
                                                       row.month_start_day, row.role, ident.user_id)
    g.auth = context = AuthContext(user=user, user_id=ident.user_id, session_id=ident.session_id, claims=claims,
                                   ledger=ledger)
    return context


def current_auth() -> AuthContext:
    auth: AuthContext = g.auth
    return auth


P = ParamSpec("P")
R = TypeVar("R")


def auth_required(fn: Callable[P, R]) -> Callable[P, R]:
    """Require a valid, unrevoked access token (from the Authorization header only)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        authenticate()
        return fn(*args, **kwargs)

    return wrapper
