"""Database helpers: the id range and the one parser of ids, UTC timestamps on every backend, SQLite pragmas."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.types import TypeDecorator

# Every id is an INTEGER column: a larger id names no row, and as a query parameter it overflows SQLite and
# is refused by PostgreSQL (a 500). Requests check ids against this before they reach the database.
MAX_ID = 2**31 - 1
# Names (of accounts, categories, ledgers) and display names: the width of their columns, so the most
# characters a name may have (a Name counts them after trimming).
NAME_MAX_LENGTH = 100


def _up_to(limit: int) -> str:
    """A regex matching exactly the decimal numbers 1..limit, in ASCII digits, without leading zeros."""
    digits = str(limit)
    choices = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if digit > low:
            rest = len(digits) - i - 1
            choices.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


# An id as text (a path segment, a token's subject): 1..MAX_ID in ASCII digits without leading zeros. int()
# and str.isdigit() would also take "²", "١", " 5" or "1_000".
ID_PATTERN = _up_to(MAX_ID)
_ID_RE = re.compile(ID_PATTERN)


def parse_id(text: str) -> int:
    """The id that `text` writes (ID_PATTERN), or ValueError: such text names no row."""
    if not _ID_RE.fullmatch(text):
        raise ValueError("Not an id.")
    return int(text)


def is_id(value: object) -> bool:
    """Whether `value` is an int (not a bool) that can be an id: 1..MAX_ID, safe as a query parameter."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime; stored as TIMESTAMPTZ on PostgreSQL, naive UTC on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. Session.execute is typed as answering a Result; for these
    statements it is a CursorResult, which has the count."""
    return cast(CursorResult[Any], result).rowcount


def iso_utc(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, as the contract wants."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys (for ON DELETE CASCADE), WAL and a busy timeout for gunicorn workers."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # noqa: BLE001 - an in-memory database has no WAL; nothing to do
        pass
    cursor.close()
