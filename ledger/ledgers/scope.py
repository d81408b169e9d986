"""The ledger a route acts on: `/api/v1/ledgers/{id}/...`, or the caller's default ledger on the older paths.

The membership and the role come from the one auth statement (ledger.auth.check): no query here.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Flask, g, request

from ledger.auth.check import authenticate, current_auth
from ledger.errors import ForbiddenRole, NotFound
from ledger.ledgers.access import LedgerScope

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

P = ParamSpec("P")
R = TypeVar("R")


def path_ledger_id() -> int | None:
    """The `{id}` of `/api/v1/ledgers/{id}/...` in this request's path, or None on the other paths."""
    ledger_id: int | None = g.get("path_ledger_id")
    return ledger_id


def current_ledger() -> LedgerScope:
    """The request's ledger; 404 when the caller is not a member (a ledger's existence is never revealed)."""
    ledger = current_auth().ledger
    if ledger is None:
        if path_ledger_id() is None:
            raise NotFound("You have no default ledger: choose one (PATCH /me default_ledger_id).")
        raise NotFound("No such ledger.")
    return ledger


def check_writer(ledger: LedgerScope) -> None:
    if not ledger.can_write:
        raise ForbiddenRole("Viewers of a ledger cannot change it.")


def check_owner(ledger: LedgerScope) -> None:
    if not ledger.is_owner:
        raise ForbiddenRole("Only an owner of the ledger can do this.")


def ledger_required(fn: Callable[P, R]) -> Callable[P, R]:
    """Authenticate and require membership of the request's ledger; a write method also needs a writer's role
    (owner or editor), else 403 forbidden_role. The route then reads `current_ledger()`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        authenticate()
        ledger = current_ledger()
        if request.method not in READ_METHODS:
            check_writer(ledger)
        return fn(*args, **kwargs)

    return wrapper


def register_ledger_paths(app: Flask) -> None:
    """`ledger_id` of the path goes to `g` (the auth check joins that membership), not to the views; URLs built
    during such a request (Location headers) keep it."""

    @app.url_value_preprocessor
    def _take_ledger_id(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "ledger_id" in values:
            g.path_ledger_id = values.pop("ledger_id")

    @app.url_defaults
    def _keep_ledger_id(endpoint: str, values: dict[str, Any]) -> None:
        ledger_id = g.get("path_ledger_id")
        if ledger_id is not None and "ledger_id" not in values \
                and app.url_map.is_endpoint_expecting(endpoint, "ledger_id"):
            values["ledger_id"] = ledger_id
