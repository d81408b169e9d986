"""/api/v1/accounts: thin routes over ledger.accounts.services."""

from ledger.accounts import services
from ledger.accounts.schemas import (
    AccountCreateSchema,
    AccountListQuerySchema,
    AccountListSchema,
    AccountPatchSchema,
    AccountSchema,
)
from ledger.blueprint import Blueprint
from ledger.cards import services as cards
from ledger.cards.schemas import StatementQuerySchema, StatementSchema
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.openapi import documented_errors

blp = Blueprint("accounts", __name__, url_prefix="/api/v1/accounts",
                description="Accounts (payment methods) and their balances")

# Ids beyond the INTEGER column's range cannot exist: the router answers 404 before any query.
ACCOUNT_ID = "<id:account_id>"


@blp.route("", methods=["GET"])
@ledger_required
@blp.arguments(AccountListQuerySchema, location="query")
@blp.response(200, AccountListSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def list_accounts(args):
    """Every account of the user (archived ones included), by id, with its balance."""
    return {"items": services.list_accounts(current_ledger().id)}


@blp.route("", methods=["POST"])
@ledger_required
@blp.arguments(AccountCreateSchema)
@blp.response(201, AccountSchema)
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True, ledger=True)
def create_account(args):
    """Create an account; 409 when the user already has one with that name."""
    return services.create_account(current_ledger().id, args["name"], args["type"], args["opening_balance"])


@blp.route(f"/{ACCOUNT_ID}", methods=["GET"])
@ledger_required
@blp.response(200, AccountSchema)
@documented_errors(blp, 404, auth=True, ledger=True)
def get_account(account_id: int):
    """One account with its balance; another user's account is 404."""
    return services.get_account(current_ledger().id, account_id)


@blp.route(f"/{ACCOUNT_ID}", methods=["PATCH"])
@ledger_required
@blp.arguments(AccountPatchSchema, required=False)  # no body: nothing changes
@blp.response(200, AccountSchema)
@documented_errors(blp, 400, 404, 409, 413, 415, 422, auth=True, ledger=True)
def update_account(args, account_id: int):
    """Rename and/or (un)archive an account; the type and opening balance are fixed."""
    return services.update_account(current_ledger().id, account_id, args)


@blp.route(f"/{ACCOUNT_ID}", methods=["DELETE"])
@ledger_required
@blp.response(204)
@documented_errors(blp, 404, 409, auth=True, ledger=True)
def delete_account(account_id: int):
    """Delete an account; 409 while any entry uses it (archive it instead)."""
    services.delete_account(current_ledger().id, account_id)


@blp.route(f"/{ACCOUNT_ID}/statements", methods=["GET"])
@ledger_required
@blp.arguments(StatementQuerySchema, location="query")
@blp.response(200, StatementSchema)
@documented_errors(blp, 404, 409, 422, auth=True, ledger=True)
def get_statement(args, account_id: int):
    """A credit card's statement paid in `month`: usage period, lines (installment portions), payments, amount
    due; 409 not_a_card for another account type."""
    return cards.statement(current_ledger(), account_id, args["month"])
