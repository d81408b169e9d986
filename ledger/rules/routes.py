"""/api/v1/rules: thin routes over ledger.rules.services."""
from __future__ import annotations

from ledger.blueprint import Blueprint
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.openapi import documented_errors
from ledger.rules import services
from ledger.rules.schemas import (
    ApplyResultSchema,
    ApplySchema,
    PreviewSchema,
    RuleCreateSchema,
    RuleListSchema,
    RuleOrderSchema,
    RulePatchSchema,
    RuleSchema,
)

blp = Blueprint("rules", __name__, url_prefix="/api/v1/rules", description="Rules that fill in new entries")

RULE_ID = "<id:rule_id>"


@blp.route("", methods=["GET"])
@ledger_required
@blp.response(200, RuleListSchema)
@documented_errors(blp, auth=True, ledger=True)
def list_rules():
    """The ledger's rules in the order they run."""
    return {"items": services.list_rules(current_ledger().id)}


@blp.route("", methods=["POST"])
@ledger_required
@blp.arguments(RuleCreateSchema)
@blp.response(201, RuleSchema)
@documented_errors(blp, 400, 413, 415, 422, auth=True, ledger=True)
def create_rule(args):
    """Add a rule after the last one. No condition, an operator the field does not take, or an account,
    category or payee not of the ledger is 422 naming the field (conditions.N.operator, actions.N.value)."""
    return services.create_rule(current_ledger().id, args)


@blp.route("/order", methods=["PUT"])
@ledger_required
@blp.arguments(RuleOrderSchema)
@blp.response(200, RuleListSchema)
@documented_errors(blp, 400, 413, 415, 422, auth=True, ledger=True)
def order_rules(args):
    """Set the order: `rule_ids` lists every rule of the ledger exactly once (else 422)."""
    return {"items": services.reorder_rules(current_ledger().id, args["rule_ids"])}


@blp.route(f"/{RULE_ID}", methods=["GET"])
@ledger_required
@blp.response(200, RuleSchema)
@documented_errors(blp, 404, auth=True, ledger=True)
def get_rule(rule_id: int):
    return services.get_rule(current_ledger().id, rule_id)


@blp.route(f"/{RULE_ID}", methods=["PATCH"])
@ledger_required
@blp.arguments(RulePatchSchema, required=False)
@blp.response(200, RuleSchema)
@documented_errors(blp, 400, 404, 413, 415, 422, auth=True, ledger=True)
def update_rule(args, rule_id: int):
    """Change the name, match, conditions or actions (the lists are replaced as a whole)."""
    return services.update_rule(current_ledger().id, rule_id, args or {})


@blp.route(f"/{RULE_ID}", methods=["DELETE"])
@ledger_required
@blp.response(204)
@documented_errors(blp, 404, auth=True, ledger=True)
def delete_rule(rule_id: int):
    services.delete_rule(current_ledger().id, rule_id)


@blp.route(f"/{RULE_ID}/preview", methods=["POST"])
@ledger_required
@blp.response(200, PreviewSchema)
@documented_errors(blp, 404, auth=True, ledger=True)
def preview_rule(rule_id: int):
    """Which existing entries the rule would change and how (field, before, after), with each entry's
    version and ETag to send to apply. Nothing is written (a viewer may not call it: it is a POST)."""
    return services.preview_rule(current_ledger(), rule_id)


@blp.route(f"/{RULE_ID}/apply", methods=["POST"])
@ledger_required
@blp.arguments(ApplySchema)
@blp.response(200, ApplyResultSchema)
@documented_errors(blp, 400, 404, 413, 415, 422, auth=True, ledger=True)
def apply_rule(args, rule_id: int):
    """Apply a preview: each listed entry changes only if its version is still the one given (If-Match);
    an entry changed or deleted since, or one the rule no longer changes, is listed in `conflicts` and left as
    it is. The rest are applied."""
    return services.apply_rule(current_ledger(), rule_id, args["entries"])
