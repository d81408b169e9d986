"""/api/v1/changes: the ledger's change feed (thin route over ledger.feed.services)."""
from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.http import parse_etags

from ledger.blueprint import Blueprint
from ledger.feed import services
from ledger.feed.kinds import KINDS
from ledger.feed.schemas import ChangePageSchema, ChangesQuerySchema, IfNoneMatchHeaderSchema
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.openapi import documented_errors

blp = Blueprint("changes", __name__, url_prefix="/api/v1/changes", description="Change feed (sync)")

_ETAG_HEADER = {"ETag": {"description": "send it back in If-None-Match to get 304 while nothing changed",
                         "required": True, "schema": {"type": "string"}}}


@blp.route("", methods=["GET"])
@ledger_required
@blp.arguments(IfNoneMatchHeaderSchema, location="headers", as_kwargs=True)
@blp.arguments(ChangesQuerySchema, location="query")
@blp.response(200, ChangePageSchema, headers=_ETAG_HEADER)
@blp.alt_response(304, description="Not Modified: the ledger has not changed since the ETag sent in If-None-Match",
                  headers=_ETAG_HEADER)
@documented_errors(blp, 410, 422, auth=True, ledger=True)
def list_changes(args, if_none_match=None):
    """The ledger's rows changed after `since` (inserted, updated: `upsert` with the row; deleted: `delete`),
    in `seq` order, at most `limit` (default 500, at most 1000).

    Pass `next` back as `since` while `has_more`; since=0 answers every live row (a snapshot, paged the same
    way). A cursor older than the deletions kept (30 days), or not issued for this ledger, is 410
    `cursor_expired`: start again from since=0. Viewers may read it.
    """
    ledger = current_ledger()
    at = services.position(ledger)
    services.check_cursor(at, args["since"])
    tag = services.etag(ledger, at, args["since"], args["limit"])
    if if_none_match is not None and parse_etags(if_none_match).contains(tag.strip('"')):
        response = current_app.response_class(status=304)
        response.headers["ETag"] = tag
        return response
    return services.read_changes(ledger, at, args["since"], args["limit"]), {"ETag": tag}


def document_feed_kinds(api: Any) -> None:
    """Each kind's schema is a component of the OpenAPI document (a change's `data` refers to them), also one
    that no other operation answers (a budget's row)."""
    for schema, _ in KINDS.values():
        name = schema.__name__.removesuffix("Schema")
        if name not in api.spec.components.schemas:
            api.spec.components.schema(name, schema=schema)
