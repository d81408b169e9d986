"""/api/v1/payees: thin routes over ledger.payees.services."""
from __future__ import annotations

from ledger.blueprint import Blueprint
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.openapi import documented_errors
from ledger.payees import services
from ledger.payees.schemas import (
    DeclineSchema,
    MergeResultSchema,
    PayeeCreateSchema,
    PayeeListQuerySchema,
    PayeeListSchema,
    PayeeMergeSchema,
    PayeePatchSchema,
    PayeeSchema,
    SuggestionResultSchema,
)

blp = Blueprint("payees", __name__, url_prefix="/api/v1/payees", description="Payees and their autocomplete")

PAYEE_ID = "<id:payee_id>"


@blp.route("", methods=["GET"])
@ledger_required
@blp.arguments(PayeeListQuerySchema, location="query")
@blp.response(200, PayeeListSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def list_payees(args):
    """Every payee of the ledger by name, or (with `query`) the autocomplete's matches, best first.

    `query` matches a prefix or a substring of the name ignoring case, and Korean initial consonants (초성)
    match every syllable they begin: "ㅅㅂ" and "스ㅂ" find 스타벅스. Ranked by the payee's entries in the last
    90 days, then prefix before substring before initials, then by name.
    """
    query = (args.get("query") or "").strip()
    hits = services.list_payees(current_ledger().id, query or None, args["include_archived"],
                                args["limit"] if query else None)
    return {"items": hits}


@blp.route("", methods=["POST"])
@ledger_required
@blp.arguments(PayeeCreateSchema)
@blp.response(201, PayeeSchema)
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True, ledger=True)
def create_payee(args):
    """Create a payee; a name taken in the ledger (ignoring case) is 409."""
    return services.hit(services.create_payee(current_ledger().id, args["name"]))


@blp.route(f"/{PAYEE_ID}", methods=["GET"])
@ledger_required
@blp.response(200, PayeeSchema)
@documented_errors(blp, 404, auth=True, ledger=True)
def get_payee(payee_id: int):
    """One payee; another ledger's is 404."""
    return services.hit(services.get_payee(current_ledger().id, payee_id))


@blp.route(f"/{PAYEE_ID}", methods=["PATCH"])
@ledger_required
@blp.arguments(PayeePatchSchema, required=False)
@blp.response(200, PayeeSchema)
@documented_errors(blp, 400, 404, 409, 413, 415, 422, auth=True, ledger=True)
def update_payee(args, payee_id: int):
    """Rename (409 when another payee has the name, ignoring case) and/or (un)archive."""
    return services.hit(services.update_payee(current_ledger().id, payee_id, args or {}))


@blp.route(f"/{PAYEE_ID}/merge", methods=["POST"])
@ledger_required
@blp.arguments(PayeeMergeSchema)
@blp.response(200, MergeResultSchema)
@documented_errors(blp, 400, 404, 409, 413, 415, 422, auth=True, ledger=True)
def merge_payee(args, payee_id: int):
    """Merge this payee into `into`: its entries move there (their ETags change), rules that set it set `into`,
    and it is deleted. `into` not of the ledger, or this payee itself, is 422."""
    target, moved = services.merge_payees(current_ledger().id, payee_id, args["into"])
    return {"payee": services.hit(target), "moved_entries": moved}


@blp.route(f"/{PAYEE_ID}/suggestion", methods=["GET"])
@ledger_required
@blp.response(200, SuggestionResultSchema)
@documented_errors(blp, 404, auth=True, ledger=True)
def get_suggestion(payee_id: int):
    """"Always put this payee in that category?": offered once the payee's entries got the same category by
    hand 3 times, unless declined before or a rule already does it; null otherwise. Accepting is POST /rules;
    nothing is ever created by this."""
    return {"suggestion": services.suggestion(current_ledger().id, payee_id)}


@blp.route(f"/{PAYEE_ID}/suggestion/decline", methods=["POST"])
@ledger_required
@blp.arguments(DeclineSchema)
@blp.response(204)
@documented_errors(blp, 400, 404, 413, 415, 422, auth=True, ledger=True)
def decline_suggestion(args, payee_id: int):
    """Never suggest this payee → category again (remembered per ledger, payee and category)."""
    services.decline_suggestion(current_ledger().id, payee_id, args["category_id"])
