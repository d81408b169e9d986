"""/api/v1/imports: statement uploads, their preview, changes, and commit (thin routes over the services)."""
from __future__ import annotations

from flask import current_app, request
from marshmallow import fields, validate

from ledger.blueprint import Blueprint
from ledger.database import parse_id
from ledger.errors import ApiError, ValidationFailed
from ledger.imports import services
from ledger.imports.models import StatementImport
from ledger.imports.preview import MARKS, REASONS, Row, counts
from ledger.imports.profiles import BUILTIN_PROFILES, FIELDS
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.openapi import documented_errors
from ledger.schemas import BaseSchema, Name, ResponseSchema, StrictBool, StrictInt, Timestamp

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports",
                description="Bank and card statements: upload, preview, commit (docs/imports.md)")

IMPORT_ID = "<id:import_id>"
PASSWORD_MAX = 200

UPLOAD_DOC = """\
multipart/form-data: `file` (≤ 10 MiB, else 413 payload_too_large), `account_id`, optional `password` (an
encrypted Excel file's; used to open it, never stored or logged) and optional `profile` (a built-in profile's
key or a saved profile's name; by default a saved profile with the file's header, else a built-in one, else a
mapping proposed from the column names). Formats: .xlsx, .xls (BIFF or HTML), CSV/TSV in UTF-8 (BOM or not)
or CP949. Refusals (422): `not_a_statement`, `empty_statement`, `archive_too_large` (a zip bomb),
`too_many_rows`, `unreadable_encoding`, `password_required`, `wrong_password`. The upload expires after a day
(then 410 import_expired).
"""


class ImportRowSchema(ResponseSchema):
    index = fields.Integer(metadata={"description": "the row's index in the sheet (0-based)"})
    cells = fields.List(fields.String())
    mark = fields.String(metadata={"enum": list(MARKS)})
    reason = fields.String(allow_none=True, metadata={"enum": [*REASONS, None],
                                                      "description": "why a row is skipped or in error"})
    include = fields.Boolean()
    occurred_on = fields.Date(allow_none=True)
    type = fields.String(allow_none=True, metadata={"enum": ["expense", "income", None]})
    amount = fields.Integer(allow_none=True)
    payee = fields.String()
    installment = fields.Integer(allow_none=True, metadata={"description": "할부 months, when more than one"})
    cancel = fields.Boolean(metadata={"description": "a 취소 (cancelled) row"})
    entry_id = fields.Integer(allow_none=True, metadata={"description": "the entry a duplicate matches"})
    pair = fields.Integer(allow_none=True, metadata={"description": "the other row of a cancel pair"})


class ImportCountsSchema(ResponseSchema):
    new = fields.Integer()
    duplicate = fields.Integer()
    possible_duplicate = fields.Integer()
    cancel_pair = fields.Integer()
    skipped = fields.Integer()
    error = fields.Integer()
    included = fields.Integer()
    imported = fields.Integer(metadata={"description": "entries written (0 until the commit)"})


class ImportSchema(ResponseSchema):
    id = fields.Integer()
    account_id = fields.Integer()
    filename = fields.String()
    format = fields.String(metadata={"enum": ["xlsx", "xls", "html", "csv", "tsv"]})
    encoding = fields.String(allow_none=True, metadata={"enum": ["utf-8-sig", "utf-8", "cp949", None]})
    profile = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["preview", "committed"]})
    header_row = fields.Integer()
    header = fields.List(fields.String())
    mapping = fields.Dict(keys=fields.String(metadata={"enum": list(FIELDS)}), values=fields.Integer())
    counts = fields.Nested(ImportCountsSchema)
    rows = fields.List(fields.Nested(ImportRowSchema))
    created_at = Timestamp()
    expires_at = Timestamp()


class ProfileSchema(ResponseSchema):
    key = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": ["bank", "card"]})
    columns = fields.Dict(keys=fields.String(), values=fields.String())


class ProfileListSchema(ResponseSchema):
    items = fields.List(fields.Nested(ProfileSchema))


class SavedProfileSchema(ResponseSchema):
    id = fields.Integer()
    account_id = fields.Integer()
    name = fields.String()
    mapping = fields.Dict(keys=fields.String(metadata={"enum": list(FIELDS)}), values=fields.Integer())


class SavedProfileListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SavedProfileSchema))


class RowChoiceSchema(BaseSchema):
    index = StrictInt(required=True, validate=validate.Range(min=0))
    include = StrictBool(required=True)


class ImportPatchSchema(BaseSchema):
    header_row = StrictInt(validate=validate.Range(min=0))
    mapping = fields.Dict(keys=fields.String(validate=validate.OneOf(FIELDS)),
                          values=StrictInt(allow_none=True, validate=validate.Range(min=0)))
    rows = fields.List(fields.Nested(RowChoiceSchema), validate=validate.Length(max=50_000))
    save_profile = Name(metadata={"description": "save the mapping for this account and header under this name"})


def _row(row: Row) -> dict:
    return {"index": row.index, "cells": row.cells, "mark": row.mark, "reason": row.reason, "include": row.include,
            "occurred_on": row.occurred_on, "type": row.type, "amount": row.amount, "payee": row.payee,
            "installment": row.installment, "cancel": row.cancel, "entry_id": row.entry_id, "pair": row.pair}


def _view(statement: StatementImport) -> dict:
    rows = services.preview_rows(statement)
    return {"id": statement.id, "account_id": statement.account_id, "filename": statement.filename,
            "format": statement.format, "encoding": statement.encoding, "profile": statement.profile,
            "status": statement.status, "header_row": statement.header_row,
            "header": statement.cells[statement.header_row], "mapping": statement.mapping,
            "counts": statement.result if statement.result else counts(rows), "rows": [_row(row) for row in rows],
            "created_at": statement.created_at, "expires_at": statement.expires_at}


def _form_id(name: str) -> int:
    try:
        return parse_id(request.form.get(name, ""))
    except ValueError:
        raise ValidationFailed(errors={name: ["Must be an id."]}) from None


@blp.route("/profiles", methods=["GET"])
@ledger_required
@blp.response(200, ProfileListSchema)
@documented_errors(blp, auth=True, ledger=True)
def list_profiles():
    """The built-in statement profiles (docs/imports.md)."""
    return {"items": [{"key": p.key, "name": p.name, "kind": p.kind, "columns": p.columns}
                      for p in BUILTIN_PROFILES]}


@blp.route("/saved-profiles", methods=["GET"])
@ledger_required
@blp.response(200, SavedProfileListSchema)
@documented_errors(blp, auth=True, ledger=True)
def list_saved_profiles():
    """The mappings saved in this ledger (`save_profile` of PATCH /imports/{id}), by account and name."""
    return {"items": services.saved_profiles(current_ledger())}


@blp.route("/saved-profiles/<id:profile_id>", methods=["DELETE"])
@ledger_required
@blp.response(204)
@documented_errors(blp, 404, auth=True, ledger=True)
def delete_saved_profile(profile_id: int):
    """Forget a saved mapping; the next upload with its header gets a built-in or proposed mapping again."""
    services.delete_saved_profile(current_ledger(), profile_id)


@blp.route("", methods=["POST"])
@ledger_required
@blp.response(201, ImportSchema, description="The stored upload and its preview; nothing is written yet.")
@blp.doc(description=UPLOAD_DOC, requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "account_id"], "properties": {
        "file": {"type": "string", "format": "binary"}, "account_id": {"type": "string", "pattern": "^[0-9]+$"},
        "password": {"type": "string", "maxLength": PASSWORD_MAX}, "profile": {"type": "string"}}}}}})
@documented_errors(blp, 413, 422, auth=True, ledger=True)
def upload():
    """Upload a bank or card statement and get its preview."""
    limit = current_app.config["IMPORT_MAX_CONTENT_LENGTH"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:  # refused before any parsing
        raise ApiError(f"The upload is larger than {limit} bytes.", status=413, code="payload_too_large")
    upload_file = request.files.get("file")
    if upload_file is None:
        raise ValidationFailed(errors={"file": ["A file is required (multipart/form-data)."]})
    account_id = _form_id("account_id")
    password = request.form.get("password") or None
    if password is not None and len(password) > PASSWORD_MAX:
        raise ValidationFailed(errors={"password": [f"At most {PASSWORD_MAX} characters."]})
    profile = request.form.get("profile") or None
    try:
        data = upload_file.read()
    finally:
        upload_file.close()
    statement = services.create_import(current_ledger(), account_id, upload_file.filename or "statement", data,
                                       password, profile)
    return _view(statement)


@blp.route(f"/{IMPORT_ID}", methods=["GET"])
@ledger_required
@blp.response(200, ImportSchema)
@documented_errors(blp, 410, auth=True, ledger=True)
def get_import(import_id: int):
    """An upload's preview (marks recomputed: an entry written since may make a row a duplicate)."""
    return _view(services.get_import(current_ledger(), import_id))


@blp.route(f"/{IMPORT_ID}", methods=["PATCH"])
@ledger_required
@blp.arguments(ImportPatchSchema)
@blp.response(200, ImportSchema)
@documented_errors(blp, 400, 409, 410, 413, 415, 422, auth=True, ledger=True)
def patch_import(changes: dict, import_id: int):
    """Change the header row, the column mapping or per-row include/exclude; save the mapping as a profile."""
    return _view(services.update_import(current_ledger(), import_id, changes))


@blp.route(f"/{IMPORT_ID}/commit", methods=["POST"])
@ledger_required
@blp.response(200, ImportCountsSchema)
@documented_errors(blp, 409, 410, 422, auth=True, ledger=True)
def commit(import_id: int):
    """Write the included rows in one transaction; committing again writes nothing and answers the same counts."""
    return services.commit_import(current_ledger(), import_id)



