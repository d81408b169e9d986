"""Schema building blocks shared by every feature."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields

from ledger.database import iso_utc


class BaseSchema(Schema):
    """Unknown fields are rejected (422), as the contract requires."""

    class Meta:
        unknown = RAISE


class Text(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise ValidationError("Must not contain NUL characters.")
        return result


class StrictInt(fields.Integer):
    """A JSON integer: floats, numeric strings and booleans are refused."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Timestamp(fields.DateTime):
    """ISO 8601 UTC with a Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_utc(value)


class Amount(StrictInt):
    """Money in minor units: a JSON integer, 1 .. 2^53-1 (safe in JavaScript)."""

    def __init__(self, **kwargs):
        from marshmallow import validate

        from ledger.money import MAX_AMOUNT

        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_AMOUNT))
        kwargs.setdefault("metadata", {"description": "integer minor units of the user's currency",
                                       "example": 12000})
        super().__init__(**kwargs)


class Month(fields.String):
    """An accounting month, YYYY-MM (honours the user's month_start_day where used)."""

    def _deserialize(self, value, attr, data, **kwargs):
        from ledger.months import parse_month

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
    """A display name: surrounding whitespace is dropped; 1..100 characters remain."""

    def __init__(self, **kwargs):
        from marshmallow import validate

        kwargs.setdefault("validate", validate.Length(min=1, max=100))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()
