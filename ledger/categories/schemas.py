"""Load and dump schemas of /api/v1/categories."""
from marshmallow import fields, validate

from ledger.categories.models import CATEGORY_KINDS
from ledger.schemas import BaseSchema, Id, Name, QueryBool, QueryId, ResponseSchema, StrictBool, Text, Timestamp


class Color(Text):
    """#RRGGBB, stored in lower case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Regexp(r"^#[0-9A-Fa-f]{6}\Z", error="Must be a colour #RRGGBB."))
        kwargs.setdefault("metadata", {"description": "#RRGGBB", "example": "#e4572e"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class CategorySchema(ResponseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    kind = fields.String(metadata={"enum": list(CATEGORY_KINDS)})
    parent_id = fields.Integer(allow_none=True, metadata={"description": "null for a top-level category"})
    color = fields.String(allow_none=True, metadata={"description": "#RRGGBB or null"})
    archived = fields.Boolean()
    created_at = Timestamp()


class CategoryListSchema(ResponseSchema):
    items = fields.List(fields.Nested(CategorySchema), metadata={"description": "by id"})


class CategoryListQuerySchema(BaseSchema):
    kind = fields.String(validate=validate.OneOf(CATEGORY_KINDS), metadata={"description": "only this kind"})
    include_archived = QueryBool(load_default=True,
                                      metadata={"description": "false hides archived categories (default true)"})


class CategoryCreateSchema(BaseSchema):
    name = Name(required=True, metadata={"description": "unique per user, kind and parent", "example": "Coffee"})
    kind = fields.String(required=True, validate=validate.OneOf(CATEGORY_KINDS))
    parent_id = Id(allow_none=True, load_default=None,
                   metadata={"description": "a top-level, unarchived category of the user's with the same "
                                            "kind; null or absent for a top-level category"})
    color = Color(allow_none=True, load_default=None)


class CategoryPatchSchema(BaseSchema):
    name = Name(metadata={"description": "unique per user, kind and parent"})
    color = Color(allow_none=True, metadata={"description": "#RRGGBB; null removes the colour"})
    archived = StrictBool(metadata={"description": "archived categories keep their entries and budgets"})


class CategoryDeleteQuerySchema(BaseSchema):
    reassign_to = QueryId(
        metadata={"description": "move this category's entries to that category first: one of the user's, "
                                 "of the same kind, not archived, not this category"})
