"""/api/v1/categories: thin routes over ledger.categories.services."""

from ledger.auth.check import auth_required, current_auth
from ledger.blueprint import Blueprint
from ledger.categories import services
from ledger.categories.schemas import (
    CategoryCreateSchema,
    CategoryDeleteQuerySchema,
    CategoryListQuerySchema,
    CategoryListSchema,
    CategoryPatchSchema,
    CategorySchema,
)
from ledger.openapi import documented_errors

blp = Blueprint("categories", __name__, url_prefix="/api/v1/categories",
                description="Two-level income and expense categories")

# Ids beyond the INTEGER column's range cannot exist: the router answers 404 before any query.
CATEGORY_ID = "<id:category_id>"


@blp.route("", methods=["GET"])
@auth_required
@blp.arguments(CategoryListQuerySchema, location="query")
@blp.response(200, CategoryListSchema)
@documented_errors(blp, 422, auth=True)
def list_categories(args):
    """The user's categories by id (archived ones too unless include_archived=false)."""
    items = services.list_categories(current_auth().user_id, args.get("kind"), args["include_archived"])
    return {"items": items}


@blp.route("", methods=["POST"])
@auth_required
@blp.arguments(CategoryCreateSchema)
@blp.response(201, CategorySchema)
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True)
def create_category(args):
    """Create a category (top-level, or under a top-level category of the same kind).

    A parent_id that is not one of the user's top-level, unarchived categories of the same kind is 422
    (a missing id and another user's answer alike); a name taken under the same kind and parent is 409.
    """
    return services.create_category(current_auth().user_id, args["name"], args["kind"], args["parent_id"],
                                    args["color"])


@blp.route(f"/{CATEGORY_ID}", methods=["GET"])
@auth_required
@blp.response(200, CategorySchema)
@documented_errors(blp, 404, auth=True)
def get_category(category_id: int):
    """One category; another user's category is 404."""
    return services.get_category(current_auth().user_id, category_id)


@blp.route(f"/{CATEGORY_ID}", methods=["PATCH"])
@auth_required
@blp.arguments(CategoryPatchSchema, required=False)  # no body: nothing changes
@blp.response(200, CategorySchema)
@documented_errors(blp, 400, 404, 409, 413, 415, 422, auth=True)
def update_category(args, category_id: int):
    """Rename, recolour (null removes the colour) and/or (un)archive a category; kind and parent are fixed."""
    return services.update_category(current_auth().user_id, category_id, args)


@blp.route(f"/{CATEGORY_ID}", methods=["DELETE"])
@auth_required
@blp.arguments(CategoryDeleteQuerySchema, location="query")
@blp.response(204)
@documented_errors(blp, 404, 409, 422, auth=True)
def delete_category(args, category_id: int):
    """Delete a category (its budgets go with it).

    409 while it has subcategories, or while entries use it and no `reassign_to` is given. With
    `reassign_to`, its entries first move to that category (their ETags change); a target that is not one
    of the user's unarchived categories of the same kind, or is this category, is 422.
    """
    services.delete_category(current_auth().user_id, category_id, args.get("reassign_to"))
