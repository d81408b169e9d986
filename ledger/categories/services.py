"""Two-level income/expense categories; every query is scoped by ledger_id in SQL."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import delete, select

from ledger.budgets.services import delete_category_budgets
from ledger.categories.models import Category, parent_key
from ledger.entries.services import category_in_use, reassign_category
from ledger.errors import Conflict, NotFound, ValidationFailed
from ledger.extensions import db
from ledger.feed.stamp import record_deletions

NO_SUCH_CATEGORY = "No such category."  # also for another ledger's: existence is not leaked
PARENT_ARCHIVED = "The parent category is archived."

# A category by names, as the CSV import writes it: (name,) at the top level, (parent, child) below it.
CategoryPath = tuple[str, ...]
# (kind, parent_key, name): the unique key of a category in its ledger.
CategoryKey = tuple[str, int, str]
RefusalCode = Literal["parent_archived"]


def list_categories(ledger_id: int, kind: str | None = None, include_archived: bool = True) -> list[Category]:
    """The user's categories by id, optionally of one kind and without the archived ones."""
    stmt = select(Category).where(Category.ledger_id == ledger_id)
    if kind is not None:
        stmt = stmt.where(Category.kind == kind)
    if not include_archived:
        stmt = stmt.where(Category.archived.is_(False))
    return list(db.session.execute(stmt.order_by(Category.id)).scalars())


def _find(ledger_id: int, category_id: int) -> Category | None:
    return db.session.execute(
        select(Category).where(Category.ledger_id == ledger_id, Category.id == category_id)
    ).scalar_one_or_none()


def get_category(ledger_id: int, category_id: int) -> Category:
    """One of the ledger's categories; another ledger's is NotFound."""
    category = _find(ledger_id, category_id)
    if category is None:
        raise NotFound(NO_SUCH_CATEGORY)
    return category


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(errors={field: [message]})


def _check_parent(ledger_id: int, parent_id: int, kind: str) -> None:
    parent = _find(ledger_id, parent_id)
    if parent is None:
        raise _invalid("parent_id", NO_SUCH_CATEGORY)
    if parent.parent_id is not None:
        raise _invalid("parent_id", "The parent must be a top-level category (two levels at most).")
    if parent.kind != kind:
        raise _invalid("parent_id", f"The parent must be an {kind} category.")
    if parent.archived:
        raise _invalid("parent_id", PARENT_ARCHIVED)


def _check_name_free(ledger_id: int, kind: str, parent_id: int | None, name: str,
                     except_id: int | None = None) -> None:
    stmt = select(Category.id).where(Category.ledger_id == ledger_id, Category.kind == kind,
                                     Category.parent_key == parent_key(parent_id), Category.name == name)
    if except_id is not None:
        stmt = stmt.where(Category.id != except_id)
    if db.session.execute(stmt.limit(1)).first() is not None:
        raise Conflict(f"A category named {name!r} already exists here.")


def create_category(ledger_id: int, name: str, kind: str, parent_id: int | None = None,
                    color: str | None = None) -> Category:
    """Create a top-level category, or a subcategory of a top-level one of the same kind."""
    if parent_id is not None:
        _check_parent(ledger_id, parent_id, kind)
    _check_name_free(ledger_id, kind, parent_id, name)
    category = Category(ledger_id=ledger_id, name=name, kind=kind, parent_id=parent_id,
                        parent_key=parent_key(parent_id), color=color, archived=False)
    db.session.add(category)
    db.session.flush()  # a racing duplicate name fails here as IntegrityError → 409
    db.session.commit()
    return category


def add_categories(ledger_id: int, categories: Sequence[tuple[str, str, str | None]]) -> list[int]:
    """Create top-level categories (name, kind, color) that the ledger does not have yet, in the caller's
    transaction (flushed, not committed): their ids, in order. A name taken meanwhile fails the flush (409)."""
    return _insert([Category(ledger_id=ledger_id, name=name, kind=kind, parent_id=None, parent_key=parent_key(None),
                             color=color, archived=False) for name, kind, color in categories])


def _insert(categories: list[Category]) -> list[int]:
    db.session.add_all(categories)
    db.session.flush()
    return [category.id for category in categories]


@dataclass(frozen=True)
class Refusal:
    """Why a category cannot be created, as POST /categories refuses it: a stable code and the API's message."""

    code: RefusalCode
    message: str


@dataclass
class PathResolution:
    """Category paths resolved against a ledger's categories (resolve_category_paths)."""

    # Every category of the ledger, and each one create_missing_categories adds: key → (id, archived).
    known: dict[CategoryKey, tuple[int, bool]]
    # (kind, path) to create, first seen first; a new parent comes before its children.
    missing: list[tuple[str, CategoryPath]] = field(default_factory=list)
    # (kind, path) that cannot be created, with the reason.
    refused: dict[tuple[str, CategoryPath], Refusal] = field(default_factory=dict)

    def find(self, kind: str, path: CategoryPath) -> tuple[int, bool] | None:
        """(id, archived) of the category at `path`, or None when there is none (yet)."""
        parent = self.known.get((kind, parent_key(None), path[0]))
        if len(path) == 1 or parent is None:
            return parent
        return self.known.get((kind, parent_key(parent[0]), path[1]))


def resolve_category_paths(ledger_id: int, wanted: Iterable[tuple[str, CategoryPath]]) -> PathResolution:
    """Find the categories at (kind, path) in one statement, and list what create_missing_categories must add.

    A missing path is created with the kind given (and its missing parent with it); under an existing parent,
    the rules of POST /categories apply: a parent found this way is top-level and of the same kind, and an
    archived one takes no new child (refused: parent_archived). Nothing is written.
    """
    resolution = PathResolution(known={
        (kind, key, name): (category_id, archived) for category_id, kind, key, name, archived in db.session.execute(
            select(Category.id, Category.kind, Category.parent_key, Category.name, Category.archived)
            .where(Category.ledger_id == ledger_id))})
    missing: dict[tuple[str, CategoryPath], None] = {}
    for kind, path in wanted:
        parent = resolution.find(kind, path[:1])
        if parent is None:
            missing[(kind, path[:1])] = None
        if resolution.find(kind, path) is not None:
            continue
        if parent is not None and parent[1]:
            resolution.refused[(kind, path)] = Refusal("parent_archived", PARENT_ARCHIVED)
        else:
            missing[(kind, path)] = None
    resolution.missing = list(missing)
    return resolution


def create_missing_categories(ledger_id: int, resolution: PathResolution) -> None:
    """Create the resolution's missing categories (the caller has refused its refused paths), in the caller's
    transaction: parents, then children, one flush each. Their ids go into `resolution.known`."""
    parents = [(kind, path) for kind, path in resolution.missing if len(path) == 1]
    ids = add_categories(ledger_id, [(path[0], kind, None) for kind, path in parents])
    resolution.known.update(((kind, parent_key(None), path[0]), (category_id, False))
                            for (kind, path), category_id in zip(parents, ids, strict=True))
    children = [(kind, path, resolution.known[(kind, parent_key(None), path[0])][0])
                for kind, path in resolution.missing if len(path) == 2]
    if not children:
        return
    ids = _insert([Category(ledger_id=ledger_id, name=path[1], kind=kind, parent_id=parent_id,
                            parent_key=parent_key(parent_id), archived=False) for kind, path, parent_id in children])
    resolution.known.update(((kind, parent_key(parent_id), path[1]), (category_id, False))
                            for (kind, path, parent_id), category_id in zip(children, ids, strict=True))


def update_category(ledger_id: int, category_id: int, changes: dict) -> Category:
    """Rename, recolour and/or (un)archive a category; kind and parent are fixed."""
    category = get_category(ledger_id, category_id)
    name = changes.get("name")
    if name is not None and name != category.name:
        _check_name_free(ledger_id, category.kind, category.parent_id, name, except_id=category.id)
        category.name = name
    if "color" in changes:
        category.color = changes["color"]
    if "archived" in changes:
        category.archived = changes["archived"]
    db.session.commit()
    return category


def _reassign_target(ledger_id: int, category: Category, target_id: int) -> Category:
    target = _find(ledger_id, target_id)
    if target is None:
        raise _invalid("reassign_to", NO_SUCH_CATEGORY)
    if target.id == category.id:
        raise _invalid("reassign_to", "Entries cannot be moved to the category being deleted.")
    if target.kind != category.kind:
        raise _invalid("reassign_to", f"The target must be an {category.kind} category.")
    if target.archived:
        raise _invalid("reassign_to", "The target category is archived.")
    return target


def delete_category(ledger_id: int, category_id: int, reassign_to: int | None = None) -> int:
    """Delete a category without subcategories; its entries block it unless moved to `reassign_to`.

    Budgets of the category go with it (ON DELETE CASCADE). Returns how many entries were moved.
    """
    category = get_category(ledger_id, category_id)
    target = _reassign_target(ledger_id, category, reassign_to) if reassign_to is not None else None
    has_children = db.session.execute(
        select(Category.id).where(Category.ledger_id == ledger_id, Category.parent_id == category.id).limit(1)
    ).first()
    if has_children is not None:
        raise Conflict("The category has subcategories; delete or move them first.")
    moved = 0
    if target is None:
        if category_in_use(ledger_id, category.id):
            raise Conflict("Entries still use this category; pass reassign_to to move them first.")
    else:
        moved = reassign_category(ledger_id, category.id, target.id)
    delete_category_budgets(ledger_id, category.id)  # what ON DELETE CASCADE would do, as feed changes
    # An entry added meanwhile makes the foreign key fail: IntegrityError → 409, nothing changed.
    record_deletions(Category, ledger_id, Category.id == category.id)
    db.session.execute(delete(Category).where(Category.ledger_id == ledger_id, Category.id == category.id))
    db.session.commit()
    return moved
