"""Query and response schemas of GET /changes."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ledger.feed.kinds import KINDS
from ledger.schemas import BaseSchema, QueryInt, ResponseSchema

LIMIT_DEFAULT = 500
LIMIT_MAX = 1000
SEQ_MAX = 2**63 - 1


class ChangesQuerySchema(BaseSchema):
    since = QueryInt(load_default=0, validate=validate.Range(min=0, max=SEQ_MAX), metadata={
        "description": "the `next` of the previous answer; 0 (the default) is a snapshot of every live row"})
    limit = QueryInt(load_default=LIMIT_DEFAULT, validate=validate.Range(min=1, max=LIMIT_MAX))


class IfNoneMatchHeaderSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    if_none_match = fields.String(data_key="If-None-Match", validate=validate.Length(max=1000), metadata={
        "description": "the ETag of an earlier answer to the same query: 304 while the ledger has not changed"})


def _data_schemas() -> list[dict[str, str]]:
    # apispec names a component after its schema class without "Schema" (EntrySchema → Entry).
    return [{"$ref": f"#/components/schemas/{schema.__name__.removesuffix('Schema')}"} for schema, _ in KINDS.values()]


class ChangeSchema(ResponseSchema):
    seq = fields.Integer(metadata={"description": "the change's number in its ledger; unique, increasing"})
    kind = fields.String(metadata={"enum": list(KINDS)})
    id = fields.Integer(metadata={"description": "the changed row's id (unique within its kind)"})
    op = fields.String(metadata={"enum": ["upsert", "delete"]})
    data = fields.Raw(allow_none=True, metadata={
        "description": "upsert: the row as its feature's own endpoint answers it (an entry as GET /entries/{id}, "
                       "an account with its balance as of this answer, a budget's stored limit); delete: null",
        "anyOf": _data_schemas()})


class ChangePageSchema(ResponseSchema):
    changes = fields.List(fields.Nested(ChangeSchema), metadata={"description": "in seq order"})
    next = fields.Integer(metadata={"description": "pass it back as `since`: the last change's seq when has_more, "
                                                   "else ledger_seq"})
    has_more = fields.Boolean(metadata={"description": "true: ask again at once with since=next"})
    ledger_seq = fields.Integer(metadata={"description": "the ledger's last change_seq when this page was read"})
