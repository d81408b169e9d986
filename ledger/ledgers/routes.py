"""/api/v1/ledgers (ledgers, members, invites) and /api/v1/invites/{token}: thin routes over the services.

Paths with `{ledger_id}` are checked by the one auth statement, which joins the caller's membership of that
ledger: not a member is 404 (a ledger's existence is never revealed), a role too low is 403 forbidden_role.
"""
from __future__ import annotations

from typing import Any

from flask import current_app

from ledger.auth.check import auth_required, current_auth
from ledger.auth.mfa.services import require_step_up
from ledger.blueprint import Blueprint
from ledger.database import MAX_ID
from ledger.extensions import limiter
from ledger.ledgers import services
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.schemas import (
    InviteCreateSchema,
    InviteInfoSchema,
    InviteListSchema,
    InviteSchema,
    LedgerCreateSchema,
    LedgerDeleteSchema,
    LedgerListSchema,
    LedgerPatchSchema,
    LedgerSchema,
    MemberListSchema,
    MemberPatchSchema,
    MemberSchema,
)
from ledger.ledgers.scope import check_owner, current_ledger
from ledger.openapi import documented_errors

blp = Blueprint("ledgers", __name__, url_prefix="/api/v1/ledgers",
                description="Ledgers (households), their members and invitations")
invites_blp = Blueprint("invites", __name__, url_prefix="/api/v1/invites",
                        description="Accepting an invitation to a ledger")

LEDGER = "/<id:ledger_id>"
# The path's ledger id is taken by ledger.ledgers.scope for the auth check; it is documented here.
LEDGER_ID_PARAMETER = {"in": "path", "name": "ledger_id", "required": True,
                       "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                       "description": "a ledger you are a member of"}
# The invitation's secret, as the link carries it (secrets.token_urlsafe(32): 43 characters).
TOKEN = "/<string:token>"
TOKEN_PARAMETER = {"in": "path", "name": "token", "required": True,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 100}}


def _owner_of_path() -> LedgerScope:
    ledger = current_ledger()
    check_owner(ledger)
    return ledger


@blp.route("", methods=["GET"])
@auth_required
@blp.response(200, LedgerListSchema)
@documented_errors(blp, auth=True)
def list_ledgers() -> dict[str, list[services.LedgerView]]:
    """Every ledger you are a member of, with your role."""
    return {"items": services.list_ledgers(current_auth().user_id)}


@blp.route("", methods=["POST"])
@auth_required
@blp.arguments(LedgerCreateSchema)
@blp.response(201, LedgerSchema)
@documented_errors(blp, 400, 413, 415, 422, auth=True)
def create_ledger(args: dict[str, Any]) -> services.LedgerView:
    """Start a new ledger, with a cash account and the default categories; you are its owner."""
    return services.create_ledger(current_auth().user_id, args["name"], args.get("currency"),
                                  args["month_start_day"])


@blp.route(LEDGER, methods=["GET"])
@auth_required
@blp.response(200, LedgerSchema)
@documented_errors(blp, 404, auth=True)
def get_ledger() -> services.LedgerView:
    """One of your ledgers."""
    return services.get_ledger(current_ledger())


@blp.route(LEDGER, methods=["PATCH"])
@auth_required
@blp.arguments(LedgerPatchSchema, required=False)
@blp.response(200, LedgerSchema)
@documented_errors(blp, 400, 403, 404, 413, 415, 422, auth=True)
def update_ledger(args: dict[str, Any]) -> services.LedgerView:
    """Rename the ledger or change its month_start_day or timezone (owners only)."""
    return services.update_ledger(_owner_of_path(), args)


@blp.route(LEDGER, methods=["DELETE"])
@auth_required
@blp.arguments(LedgerDeleteSchema)
@blp.response(204)
@documented_errors(blp, 400, 403, 404, 413, 415, 422, auth=True)
def delete_ledger(args: dict[str, Any]) -> None:
    """Delete the ledger and all of its data (owners only; the body repeats its name). Members whose default it
    was get another of their ledgers as default, or a new personal one. With a second factor on, a step-up within
    5 minutes is needed (403 step_up_required)."""
    ledger = _owner_of_path()
    ctx = current_auth()
    require_step_up(ctx.user_id, ctx.session_id)
    services.delete_ledger(ledger, args["name"])


@blp.route(f"{LEDGER}/members", methods=["GET"])
@auth_required
@blp.response(200, MemberListSchema)
@documented_errors(blp, 404, auth=True)
def list_members() -> dict[str, list[services.MemberView]]:
    """The ledger's members and their roles, the longest-standing first."""
    return {"items": services.list_members(current_ledger().id)}


@blp.route(f"{LEDGER}/members/<id:user_id>", methods=["PATCH"])
@auth_required
@blp.arguments(MemberPatchSchema)
@blp.response(200, MemberSchema)
@documented_errors(blp, 400, 403, 404, 409, 413, 415, 422, auth=True)
def update_member(args: dict[str, Any], user_id: int) -> services.MemberView:
    """Change a member's role (owners only); 409 last_owner for the only owner's own demotion."""
    return services.update_member(_owner_of_path(), user_id, args["role"])


@blp.route(f"{LEDGER}/members/<id:user_id>", methods=["DELETE"])
@auth_required
@blp.response(204)
@documented_errors(blp, 403, 404, 409, auth=True)
def remove_member(user_id: int) -> None:
    """Remove a member (owners), or leave the ledger (your own user id, any role); the last owner can do
    neither (409 last_owner)."""
    ledger = current_ledger()
    if user_id != ledger.user_id:
        check_owner(ledger)
    services.remove_member(ledger, user_id)


@blp.route(f"{LEDGER}/invites", methods=["POST"])
@auth_required
@blp.arguments(InviteCreateSchema, required=False)
@blp.response(201, InviteSchema)
@documented_errors(blp, 400, 403, 404, 409, 413, 415, 422, auth=True)
def create_invite(args: dict[str, Any] | None) -> services.InviteView:
    """A one-time invitation link (owners only): valid 7 days, single use, revocable; `token` is shown once."""
    return services.create_invite(_owner_of_path(), (args or {}).get("role", "editor"))


@blp.route(f"{LEDGER}/invites", methods=["GET"])
@auth_required
@blp.response(200, InviteListSchema)
@documented_errors(blp, 403, 404, auth=True)
def list_invites() -> dict[str, list[services.InviteView]]:
    """The ledger's open invitations (owners only), without their tokens."""
    return {"items": services.list_invites(_owner_of_path())}


@blp.route(f"{LEDGER}/invites/<id:invite_id>", methods=["DELETE"])
@auth_required
@blp.response(204)
@documented_errors(blp, 403, 404, auth=True)
def revoke_invite(invite_id: int) -> None:
    """Revoke an open invitation (owners only): its link answers 410 invite_revoked."""
    services.revoke_invite(_owner_of_path(), invite_id)


def _invite_limit() -> str:
    return str(current_app.config["RATELIMIT_INVITE"])


@invites_blp.route(TOKEN, methods=["GET"], parameters=[TOKEN_PARAMETER])
@limiter.limit(_invite_limit)
@invites_blp.response(200, InviteInfoSchema)
@documented_errors(invites_blp, 404, 410, 429)
def get_invite(token: str) -> dict[str, Any]:
    """What an invitation link offers (no token needed, for the page shown before signing in): the ledger's
    name, the inviter and the role. 404 invite_not_found; 410 invite_expired, invite_used, invite_revoked."""
    return services.invite_info(token)


@invites_blp.route(f"{TOKEN}/accept", methods=["POST"], parameters=[TOKEN_PARAMETER])
@limiter.limit(_invite_limit)
@auth_required
@invites_blp.response(200, LedgerSchema)
@documented_errors(invites_blp, 404, 409, 410, 429, auth=True)
def accept_invite(token: str) -> services.LedgerView:
    """Join the invitation's ledger with its role. 409 already_member (your own ledger's invitation too);
    404 invite_not_found; 410 invite_expired, invite_used, invite_revoked."""
    return services.accept_invite(token, current_auth().user_id)
