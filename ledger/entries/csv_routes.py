"""/api/v1/entries/export.csv and /api/v1/entries/import: thin routes over ledger.entries.csv."""
from __future__ import annotations

from http import HTTPStatus
from itertools import chain

from flask import Response, current_app, request, stream_with_context
from marshmallow import INCLUDE, fields

from ledger.blueprint import Blueprint
from ledger.clock import household_today
from ledger.entries.csv import export, import_plan, import_write
from ledger.entries.schemas import MEMO_MAX, EntryFilterSchema
from ledger.entries.services import entry_filters
from ledger.errors import PROBLEM_MIMETYPE, ApiError
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.money import MAX_AMOUNT
from ledger.openapi import ProblemSchema, documented_errors
from ledger.schemas import BaseSchema, QueryBool, ResponseSchema

csv_blp = Blueprint("entries_csv", __name__, url_prefix="/api/v1/entries", description="CSV export and import")

FORMAT_DOC = f"""\
UTF-8 CSV (RFC 4180 quoting); the export starts with a BOM and ends lines with CRLF, the import accepts
either. Header: `occurred_on,type,account,to_account,category,amount,memo,tags,split_group,split_total,split_memo`
(the import also takes the first eight columns alone: no splits).
* `occurred_on`: YYYY-MM-DD. `type`: income, expense or transfer.
* `amount`: integer minor units, 1..{MAX_AMOUNT}, digits only (no sign, decimals, exponent or spaces).
* `account`, `to_account` (transfers only): account names.
* `category` (income/expense only): the name of a top-level category, or `Parent/Child` for a child
  category. Inside a name, a backslash is written `\\\\` and a slash `\\/`.
* `memo`: up to {MEMO_MAX} characters (quoted when it holds commas, quotes or line breaks).
* `tags`: joined by `;`. Inside a tag, a backslash is written `\\\\` and a semicolon `\\;`.
* Splits: a split entry is one row per line, its `category`, `amount` and `memo` the line's, with the same
  `split_group` (the export writes the entry's id; any text up to 100 characters), `split_total` (the entry's
  amount) and `split_memo` (the entry's memo) on each; date, type, account and tags equal on every row. So the
  `amount` column adds up to the real totals. The import makes one split entry of a group; a group of one row
  or more than 50, a transfer, rows that differ in the entry's fields (`split_mismatch`) or amounts that do
  not add up to `split_total` (`split_sum_mismatch`) are bad rows. Unsplit rows leave the three empty.
* Formula injection: a text cell that would start with `=`, `+`, `-`, `@`, TAB or CR (or with `'` followed by
  one of these or another `'`) is written with a leading `'`; the import removes exactly that quote.
"""

IMPORT_DOC = """\
All rows or none, in one transaction. Accounts that do not exist are created with type `other`; categories
that do not exist are created with the kind of the row's type (`Parent/Child` creates both levels). A row
naming an archived account or category is refused, as in `POST /entries`. Names and tags are trimmed.

The body is `text/csv` (charset, if given, utf-8), at most IMPORT_MAX_CONTENT_LENGTH bytes (10 MiB) → else
413 `payload_too_large`; another media type is 415 `unsupported_media_type`. A wrong header, invalid UTF-8,
or bad rows are 422 `validation_error`; bad rows are listed in line order (the header is line 1, a record's
line is the one it starts on) as
`errors: {"rows": [{"line": 3, "errors": {"amount": ["..."], "_row": ["..."]}, "codes": {"amount":
["amount_invalid"], "_row": ["field_count"]}}]}` (at most 100 rows listed; `detail` gives the total), a wrong
header as `errors: {"header": [...]}`, invalid UTF-8 as `errors: {"body": [...]}`. A row's `codes` give, column
by column and in the same order as its English `errors`, a stable reason to show in the reader's language
(ImportRowError lists them).

`?dry_run=true` validates everything and answers the same 200 body (what would be imported and created)
without writing anything.

""" + FORMAT_DOC


class ImportQuerySchema(BaseSchema):
    dry_run = QueryBool(load_default=False,
                        metadata={"description": "validate and report without writing anything (true|false|1|0)"})


class ImportResultSchema(ResponseSchema):
    imported = fields.Integer(metadata={"description": "entries imported (or that would be, with dry_run)"})
    created_accounts = fields.List(fields.String(), metadata={"description": "names of new accounts (type other)"})
    created_categories = fields.List(fields.String(),
                                     metadata={"description": "new categories, in the CSV's notation "
                                                              "(`Parent/Child` for a new child)"})
    dry_run = fields.Boolean()


class ImportRowErrorSchema(ResponseSchema):
    line = fields.Integer(metadata={"description": "the line the record starts on (the header is line 1)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "column (`_row`: the record as a whole) → English messages"})
    codes = fields.Dict(keys=fields.String(),
                        values=fields.List(fields.String(metadata={"enum": list(import_plan.ROW_ERROR_CODES)})),
                        metadata={"description": "the same columns → a stable code per message, in its order"})


class ImportErrorsSchema(ResponseSchema):
    """`errors` of an import's 422: bad rows, a wrong header or invalid UTF-8 (or a bad query parameter)."""

    class Meta:
        unknown = INCLUDE  # a bad query parameter is reported under its own name

    sometimes = frozenset({"rows", "header", "body"})

    rows = fields.List(fields.Nested(ImportRowErrorSchema), metadata={"description": "in line order, ≤ 100"})
    header = fields.List(fields.String())
    body = fields.List(fields.String())


class ImportProblemSchema(ProblemSchema):
    errors = fields.Nested(ImportErrorsSchema)  # type: ignore[assignment]  # the import's `errors`: an object


@csv_blp.route("/export.csv", methods=["GET"])
@ledger_required
@csv_blp.arguments(EntryFilterSchema, location="query")
@csv_blp.response(200, {"type": "string"}, content_type="text/csv",
                  description="The matching entries, newest first, as a CSV attachment.\n\n" + FORMAT_DOC,
                  headers={"Content-Disposition": {"schema": {"type": "string"}, "description":
                                                   'attachment; filename="ledger-entries-YYYY-MM-DD.csv"'}})
@documented_errors(csv_blp, 422, auth=True, ledger=True)
def export_entries(args):
    """Download the entries matching the GET /entries filters as CSV (streamed; no pagination)."""
    ledger = current_ledger()
    chunks = export.export_csv(ledger, entry_filters(ledger, args))
    # The first chunk (lookups + header) is made here, so a database failure is still a proper 503.
    first = next(chunks)
    filename = f"ledger-entries-{household_today().isoformat()}.csv"
    return Response(stream_with_context(chain([first], chunks)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@csv_blp.route("/import", methods=["POST"])
@ledger_required
@csv_blp.arguments(ImportQuerySchema, location="query")
@csv_blp.response(200, ImportResultSchema, description="Imported (or, with dry_run, would be).")
@csv_blp.doc(description=IMPORT_DOC,
             requestBody={"required": True, "description": "the CSV file, in the export's format",
                          "content": {"text/csv": {"schema": {"type": "string"}}}})
@csv_blp.alt_response(422, schema=ImportProblemSchema, content_type=PROBLEM_MIMETYPE,
                      description=HTTPStatus.UNPROCESSABLE_ENTITY.phrase)
@documented_errors(csv_blp, 413, 415, auth=True, ledger=True)
def import_entries(args):
    """Import entries from a CSV in the export's format (all rows or none)."""
    request.max_content_length = current_app.config["IMPORT_MAX_CONTENT_LENGTH"]
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype != "text/csv" or charset not in {"utf-8", "utf8"}:
        raise ApiError("The body must be text/csv in UTF-8.", status=415, code="unsupported_media_type")
    body = request.get_data(cache=False)
    return import_write.import_csv(current_ledger(), body, dry_run=args["dry_run"])
