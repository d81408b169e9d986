"""The CSV file's text: its header, UTF-8 with an optional BOM, separator escapes and formula quoting."""
from __future__ import annotations

from ledger.errors import ValidationFailed

# The header before splits; still accepted by the import (its rows are never split).
BASE_HEADER = ("occurred_on", "type", "account", "to_account", "category", "amount", "memo", "tags")
# A split entry is one row per line: category, amount and memo are the line's; split_group (the same on the
# group's rows), split_total (the entry's amount) and split_memo (the entry's memo) tie them together.
SPLIT_COLUMNS = ("split_group", "split_total", "split_memo")
HEADER = (*BASE_HEADER, *SPLIT_COLUMNS)
BOM = "\ufeff"
CATEGORY_SEPARATOR = "/"
TAG_SEPARATOR = ";"
FORMULA_TRIGGERS = frozenset("=+-@\t\r")


def escape_formula(value: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula (OWASP "CSV injection")."""
    if value and (value[0] in FORMULA_TRIGGERS or (value[0] == "'" and value[1:2] and value[1] in
                                                   FORMULA_TRIGGERS | {"'"})):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula (a hand-written leading quote before anything else is kept)."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_TRIGGERS | {"'"}:
        return value[1:]
    return value


def _escape_part(value: str, separator: str) -> str:
    return value.replace("\\", "\\\\").replace(separator, "\\" + separator)


def join_escaped(parts: list[str] | tuple[str, ...], separator: str) -> str:
    """Join with `separator`, escaping it (and the backslash) inside each part."""
    return separator.join(_escape_part(part, separator) for part in parts)


def split_escaped(value: str, separator: str) -> list[str]:
    """The inverse of join_escaped; ValueError for a dangling or unknown escape."""
    parts, current, chars = [], [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, None)
            if following not in {"\\", separator}:
                raise ValueError(f"A backslash must be followed by \\ or {separator}.")
            current.append(following)
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def category_cell(path: tuple[str, ...]) -> str:
    return join_escaped(path, CATEGORY_SEPARATOR)


def decode_body(body: bytes) -> str:
    """UTF-8 text of the body, without a BOM; invalid UTF-8 is a 422."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed("The body is not valid UTF-8.",
                               errors={"body": [f"Invalid UTF-8 at byte {error.start}."]}) from None
