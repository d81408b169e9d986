"""/api/v1/accounts: thin routes over ledger.accounts.services."""

from ledger.accounts import services
from ledger.accounts.schemas import (
    AccountCreateSchema,
    AccountListQuerySchema,
    AccountListSchema,
    AccountPatchSchema,
    AccountSchema,
)
from ledger.auth.check import auth_required, current_auth
from ledger.blueprint import Blueprint
from ledger.openapi import documented_errors

blp = Blueprint("accounts", __name__, url_prefix="/api/v1/accounts",
                description="Accounts (payment methods) and their balances")

# Ids beyond the INTEGER column's range cannot exist: the router answers 404 before any query.
ACCOUNT_ID = "<id:account_id>"


@blp.route("", methods=["GET"])
@auth_required
@blp.arguments(AccountListQuerySchema, location="query")
@blp.response(200, AccountListSchema)
@documented_errors(blp, 422, auth=True)
def list_accounts(args):
    """Every account of the user (archived ones included), by id, with its balance."""
    return {"items": services.list_accounts(current_auth().user_id)}


@blp.route("", methods=["POST"])
@auth_required
@blp.arguments(AccountCreateSchema)
@blp.response(201, AccountSchema)
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True)
def create_account(args):
    """Create an account; 409 when the user already has one with that name."""
    return services.create_account(current_auth().user_id, args["name"], args["type"], args["opening_balance"])


@blp.route(f"/{ACCOUNT_ID}", methods=["GET"])
@auth_required
@blp.response(200, AccountSchema)
@documented_errors(blp, 404, auth=True)
def get_account(account_id: int):
    """One account with its balance; another user's account is 404."""
    return services.get_account(current_auth().user_id, account_id)


@blp.route(f"/{ACCOUNT_ID}", methods=["PATCH"])
@auth_required
@blp.arguments(AccountPatchSchema, required=False)  # no body: nothing changes
@blp.response(200, AccountSchema)
@documented_errors(blp, 400, 404, 409, 413, 415, 422, auth=True)
def update_account(args, account_id: int):
    """Rename and/or (un)archive an account; the type and opening balance are fixed."""
    return services.update_account(current_auth().user_id, account_id, args)


@blp.route(f"/{ACCOUNT_ID}", methods=["DELETE"])
@auth_required
@blp.response(204)
@documented_errors(blp, 404, 409, auth=True)
def delete_account(account_id: int):
    """Delete an account; 409 while any entry uses it (archive it instead)."""
    services.delete_account(current_auth().user_id, account_id)
