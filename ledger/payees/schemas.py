"""Load and dump schemas of /api/v1/payees."""
from marshmallow import fields, validate

from ledger.schemas import BaseSchema, Id, Name, QueryBool, QueryInt, ResponseSchema, StrictBool, Text, Timestamp

QUERY_MAX = 100

AUTOCOMPLETE_MAX = 100  # payees one autocomplete answer may list


class PayeeSchema(ResponseSchema):
    id = fields.Integer()
    name = fields.String()
    archived = fields.Boolean()
    uses_90d = fields.Integer(metadata={"description": "the ledger's entries of this payee in the last 90 days"})
    match = fields.String(allow_none=True, metadata={
        "enum": ["prefix", "substring", "initials", None],
        "description": "with `query`: how the name matched (initials: through 초성); null otherwise"})
    created_at = Timestamp()


class PayeeListSchema(ResponseSchema):
    items = fields.List(fields.Nested(PayeeSchema), metadata={
        "description": "without query: every payee by name; with query: best first (uses in the last 90 days, "
                       "then prefix, substring, initials matches, then name)"})


class PayeeListQuerySchema(BaseSchema):
    query = Text(validate=validate.Length(max=QUERY_MAX), metadata={
        "description": "prefix or substring of the name, ignoring case; Korean initial consonants (초성) match "
                       "their syllables: ㅅㅂ and 스ㅂ find 스타벅스"})
    include_archived = QueryBool(load_default=True, metadata={"description": "false hides archived payees"})
    limit = QueryInt(load_default=20, validate=validate.Range(min=1, max=AUTOCOMPLETE_MAX),
                     metadata={"description": "with query: at most this many (default 20)"})


class PayeeCreateSchema(BaseSchema):
    name = Name(required=True, metadata={"description": "unique in the ledger, ignoring case", "example": "스타벅스"})


class PayeePatchSchema(BaseSchema):
    name = Name(metadata={"description": "unique in the ledger, ignoring case"})
    archived = StrictBool(metadata={"description": "archived payees keep their entries; no new entry takes one"})


class PayeeMergeSchema(BaseSchema):
    into = Id(required=True, metadata={"description": "the payee that stays and receives the entries"})


class MergeResultSchema(ResponseSchema):
    payee = fields.Nested(PayeeSchema, metadata={"description": "the payee merged into"})
    moved_entries = fields.Integer()


class SuggestionSchema(ResponseSchema):
    payee_id = fields.Integer()
    payee_name = fields.String()
    category_id = fields.Integer()
    category_name = fields.String()
    count = fields.Integer(metadata={"description": "entries of the payee that got this category by hand"})


class SuggestionResultSchema(ResponseSchema):
    suggestion = fields.Nested(SuggestionSchema, allow_none=True, metadata={
        "description": "'always put this payee in that category?', or null"})


class DeclineSchema(BaseSchema):
    category_id = Id(required=True)
