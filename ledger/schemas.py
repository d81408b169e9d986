"""Schema building blocks shared by every feature."""
from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ledger.database import MAX_ID, NAME_MAX_LENGTH, iso_utc
from ledger.money import MAX_AMOUNT
from ledger.months import parse_month


class BaseSchema(Schema):
    """Unknown fields are rejected (422), as the contract requires."""

    class Meta:
        unknown = RAISE


class ResponseSchema(BaseSchema):
    """A response body. Every field is in every response, so the OpenAPI document lists each as `required`
    and the generated client types need no fallbacks (a nullable field is `allow_none` and still required);
    a field that only some responses carry is named in `sometimes`. Nothing loads these schemas, so
    `required` here only documents."""

    sometimes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name not in self.sometimes


def name_length_problem(name: str) -> Literal["required", "too_long"] | None:
    """Why a trimmed name cannot be stored, or None: it must have 1..NAME_MAX_LENGTH characters."""
    if not name:
        return "required"
    if len(name) > NAME_MAX_LENGTH:
        return "too_long"
    return None


# OpenAPI `pattern`s (ECMA-262 and Python `re` read them alike).
NO_NUL_PATTERN = r"^[^\x00]*$"
# YYYY-MM, years 0001..9998 (parse_month); 0001-01 is left out because with a month_start_day above 1 it would
# begin in year 0 (422), so it is valid only for some users.
MONTH_PATTERN = r"^(?!0000|9999|0001-01)[0-9]{4}-(0[1-9]|1[0-2])$"


# The characters str.strip() removes (str.isspace()), spelled out: `\s` means other sets in other regex engines.
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def trimmed_pattern(max_length: int) -> str:
    """Text with 1..max_length characters once str.strip() has trimmed it, and no NUL."""
    return rf"^[{_SPACE}]*[^{_SPACE}\x00](?:[^\x00]{{0,{max_length - 2}}}[^{_SPACE}\x00])?[{_SPACE}]*$"


def _has_pattern(field: fields.Field) -> bool:
    return "pattern" in field.metadata or any(hasattr(v, "regex") for v in field.validators)


class Text(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them); the OpenAPI pattern says so."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not _has_pattern(self):
            self.metadata = {**self.metadata, "pattern": NO_NUL_PATTERN}

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise ValidationError("Must not contain NUL characters.")
        return result


class StrictInt(fields.Integer):
    """A JSON integer: floats, numeric strings and booleans are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Id(StrictInt):
    """An id in a body: a JSON integer 1..MAX_ID (a larger one names no row and would overflow INTEGER)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Timestamp(fields.DateTime):
    """ISO 8601 UTC with a Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_utc(value)


class Amount(StrictInt):
    """Money in minor units: a JSON integer, 1 .. 2^53-1 (safe in JavaScript)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_AMOUNT))
        kwargs.setdefault("metadata", {"description": "integer minor units of the user's currency",
                                       "example": 12000})
        super().__init__(**kwargs)


class Month(fields.String):
    """An accounting month, YYYY-MM (honours the user's month_start_day where used)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": MONTH_PATTERN, "example": "2026-11", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_month(result)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        return result


class StrictBool(fields.Boolean):
    """A JSON boolean: 0, 1 and strings such as "true" are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


class Name(Text):
    """A display name: surrounding whitespace is dropped; 1..NAME_MAX_LENGTH characters remain.

    The length is checked after trimming, so it is documented as a pattern (a maxLength would count the
    whitespace that is dropped).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": trimmed_pattern(NAME_MAX_LENGTH), **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs).strip()
        if name_length_problem(result):
            raise ValidationError(f"Length must be between 1 and {NAME_MAX_LENGTH}.")
        return result


class QueryBool(fields.Boolean):
    """A boolean from a query string: true or false (1 or 0), in any case; "yes", "on", "t" are 422."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = value.lower() if isinstance(value, str) else None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise self.make_error("invalid", input=value)


class QueryInt(fields.Integer):
    """An integer from a query string: ASCII digits with an optional minus, nothing else.

    Python's int() would also take "1_000", " 5" and other scripts' digits; a malformed filter is 422.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not _QUERY_INT.fullmatch(value):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


_QUERY_INT = re.compile(r"-?[0-9]{1,30}")


class QueryId(QueryInt):
    """An id in a query string: 1..MAX_ID."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)
