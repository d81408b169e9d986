"""Opaque keyset cursors for GET /entries: the last row's (occurred_on, id), signed with SECRET_KEY.

The payload is base64url JSON with an HMAC (itsdangerous), so a client can neither forge a
position nor crash the query with a malformed one: anything that does not verify is a 422.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from ledger.database import is_id
from ledger.errors import ValidationFailed
from ledger.months import parse_date

_SALT = "ledger.entries.cursor"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def encode_cursor(occurred_on: date, entry_id: int) -> str:
    """The cursor that continues after the row (occurred_on, entry_id)."""
    return _serializer().dumps([occurred_on.isoformat(), entry_id])


def decode_cursor(cursor: str) -> tuple[date, int]:
    """(occurred_on, id) of a cursor made by encode_cursor, or ValidationFailed on `cursor`."""
    try:
        payload = _serializer().loads(cursor)
        day, entry_id = payload
        if not is_id(entry_id) or not isinstance(day, str):  # a larger id overflows SQLite (and is no row's id)
            raise ValueError
        return parse_date(day), entry_id
    except (BadData, ValueError, TypeError):
        raise ValidationFailed("The cursor is not valid.", errors={"cursor": ["Not a valid cursor."]}) from None
