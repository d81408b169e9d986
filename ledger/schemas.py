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
