"""/api/v1/entries: thin routes over ledger.entries.services (CSV lives in csv_routes.py)."""
from __future__ import annotations

from flask import current_app, json, request, url_for

from ledger.blueprint import Blueprint
from ledger.entries import idempotency, services
from ledger.entries.models import Entry
from ledger.entries.schemas import (
    EntryCreateSchema,
    EntryListQuerySchema,
    EntryPageSchema,
    EntryPatchSchema,
    EntrySchema,
    IdempotencyHeaderSchema,
    IfMatchHeaderSchema,
)
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.openapi import documented_errors

blp = Blueprint("entries", __name__, url_prefix="/api/v1/entries", description="Entries")

ENTRY_ID = "<id:entry_id>"
_ETAG_HEADER = {"ETag": {"description": "the entry's version; send it back in If-Match", "required": True,
                         "schema": {"type": "string"}}}


def _render(entry: Entry) -> str:
    return json.dumps(EntrySchema().dump(entry))


@blp.route("", methods=["GET"])
@ledger_required
@blp.arguments(EntryListQuerySchema, location="query")
@blp.response(200, EntryPageSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def list_entries(args):
    """The ledger's entries, filtered, newest `occurred_on` first (ties: higher id first).

    Filters are ANDed. Keyset-paginated: pass `next_cursor` back as `cursor` (with the same filters);
    it is null on the last page. A cursor that was altered or not issued by this server is 422.
    """
    return services.list_entries(current_ledger(), args)


@blp.route("", methods=["POST"])
@ledger_required
@blp.arguments(IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@blp.arguments(EntryCreateSchema)
@blp.response(201, EntrySchema, headers={
    "Location": {"description": "the new entry", "required": True, "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored response to an earlier request with "
                                           "the same Idempotency-Key", "schema": {"type": "string", "enum": ["true"]}},
})
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True, ledger=True)
def create_entry(args, idempotency_key=None):
    """Record an income, expense or transfer; an Idempotency-Key makes retries safe.

    income/expense need a category of the same kind; a transfer needs a to_account_id other than
    account_id and no category. Another ledger's account or category is "No such ..." (422).
    Archived accounts and categories cannot receive new entries (422); entries already on them
    stay editable. A retry with the same Idempotency-Key (per member and ledger) and an equal JSON body returns
    the first status and body byte for byte, with `Idempotent-Replayed: true`, and creates nothing;
    the same key with another body is 422 idempotency_key_reused. Only successful responses are
    stored: after a failure (422, 409) a corrected retry may reuse the key.
    """
    ledger = current_ledger()
    result = idempotency.run_once(ledger, idempotency_key, idempotency.request_hash(request.get_json()),
                                  lambda: (201, _render(services.create_entry(ledger, args))))
    response = current_app.response_class(result.body, status=result.status, mimetype="application/json")
    response.headers["Location"] = url_for(f"{request.blueprint}.get_entry", entry_id=json.loads(result.body)["id"])
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route(f"/{ENTRY_ID}", methods=["GET"])
@ledger_required
@blp.response(200, EntrySchema, headers=_ETAG_HEADER)
@documented_errors(blp, 404, auth=True, ledger=True)
def get_entry(entry_id: int):
    """One entry, with its ETag."""
    entry = services.get_entry(current_ledger(), entry_id)
    return entry, {"ETag": services.etag(entry)}


@blp.route(f"/{ENTRY_ID}", methods=["PATCH"])
@ledger_required
@blp.arguments(IfMatchHeaderSchema, location="headers", as_kwargs=True)
@blp.arguments(EntryPatchSchema, required=False)  # no body: nothing changes
@blp.response(200, EntrySchema, headers=_ETAG_HEADER)
@documented_errors(blp, 400, 404, 409, 412, 413, 415, 422, auth=True, ledger=True)
def update_entry(args, entry_id: int, if_match=None):
    """Change any writable field; an If-Match that no longer matches is 412 and changes nothing.

    The merged entry is validated like a new one, except that it may keep an archived account or
    category it already had. Every change moves the ETag on; a PATCH that changes nothing does not.
    """
    entry = services.update_entry(current_ledger(), entry_id, args, if_match)
    return entry, {"ETag": services.etag(entry)}


@blp.route(f"/{ENTRY_ID}", methods=["DELETE"])
@ledger_required
@blp.arguments(IfMatchHeaderSchema, location="headers", as_kwargs=True)
@blp.response(204)
@documented_errors(blp, 404, 412, auth=True, ledger=True)
def delete_entry(entry_id: int, if_match=None):
    """Delete an entry (If-Match honoured)."""
    services.delete_entry(current_ledger(), entry_id, if_match)
