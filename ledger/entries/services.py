"""Entries: validation of their references, create/read/update/delete, filters and keyset pages.

Every query is scoped by ledger_id in SQL; another ledger's entry, account or category behaves
exactly like a missing one. Archived accounts and categories keep their old entries (which
stay editable), but cannot be given to an entry anew: choosing one is a 422.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.http import parse_etags

from ledger.accounts.models import Account
from ledger.categories.models import Category
from ledger.database import is_id, rowcount, utcnow
from ledger.entries.cursor import decode_cursor, encode_cursor
from ledger.entries.models import Entry, EntryTag
from ledger.errors import NotFound, PreconditionFailed, ValidationFailed
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.totals import check_totals
from ledger.months import month_bounds

WRITABLE_FIELDS = ("type", "amount", "occurred_on", "account_id", "to_account_id", "category_id", "memo", "tags")
REFERENCE_FIELDS = ("account_id", "to_account_id", "category_id")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _shape_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The rules that need no database: which references each type needs or forbids."""
    errors: dict[str, list[str]] = {}
    if data.get("type") == "transfer":
        if data.get("to_account_id") is None:
            _add(errors, "to_account_id", "A transfer needs a to_account_id.")
        elif data.get("to_account_id") == data.get("account_id"):
            _add(errors, "to_account_id", "Must differ from account_id.")
        if data.get("category_id") is not None:
            _add(errors, "category_id", "A transfer has no category.")
    else:
        if data.get("category_id") is None:
            _add(errors, "category_id", f"An {data.get('type')} needs a category_id.")
        if data.get("to_account_id") is not None:
            _add(errors, "to_account_id", "Only a transfer has a to_account_id.")
    return errors


def validate_entry_refs(ledger_id: int, data: Mapping[str, Any], *, archived_ok: Collection[str] = ()) -> None:
    """Raise ValidationFailed unless `data` (a whole entry) is consistent and references the ledger's own rows.

    income/expense: a category_id of the same kind, no to_account_id; transfer: a to_account_id
    other than account_id, no category. Accounts and categories must be the ledger's (another
    ledger's is "does not exist", never "not yours") and not archived, except for the fields in
    `archived_ok` (an edit may keep an entry's archived account or category).
    Costs at most two statements.
    """
    errors = _shape_errors(data)
    account_fields = [f for f in ("account_id", "to_account_id") if f not in errors and data.get(f) is not None]
    account_ids = {data[f] for f in account_fields}
    if account_ids:
        found = dict(db.session.execute(
            select(Account.id, Account.archived).where(Account.ledger_id == ledger_id, Account.id.in_(account_ids))
        ).all())
        for field in account_fields:
            if data[field] not in found:
                _add(errors, field, "No such account.")
            elif found[data[field]] and field not in archived_ok:
                _add(errors, field, "The account is archived.")
    category_id = data.get("category_id")
    if category_id is not None and "category_id" not in errors:
        row = db.session.execute(
            select(Category.kind, Category.archived).where(Category.ledger_id == ledger_id, Category.id == category_id)
        ).one_or_none()
        if row is None:
            _add(errors, "category_id", "No such category.")
        elif row.kind != data.get("type"):
            _add(errors, "category_id", f"The category is an {row.kind} category; the entry is an {data.get('type')}.")
        elif row.archived and "category_id" not in archived_ok:
            _add(errors, "category_id", "The category is archived.")
    if errors:
        raise ValidationFailed(errors=errors)


def _set_tags(entry: Entry, tags: list[str]) -> None:
    """Replace the entry's tags, keeping the rows of tags that stay (no delete + insert of one key)."""
    wanted = list(dict.fromkeys(tags))
    kept = {row.tag: row for row in entry.tag_rows if row.tag in wanted}
    entry.tag_rows = [kept.get(tag) or EntryTag(tag=tag) for tag in wanted]


def create_entry(ledger: LedgerScope, data: Mapping[str, Any], *, totals: bool = True) -> Entry:
    """Validate and add a new entry (flushed, so it has its id; the ledger's totals checked). The caller commits.

    `data` holds the fields of EntryCreateSchema: type, amount, occurred_on (date), account_id,
    and optionally to_account_id, category_id, memo, tags. totals=False leaves the totals check to a caller
    that adds many entries in one transaction (a statement import): it calls check_totals once, after them.
    """
    validate_entry_refs(ledger.id, data)
    entry = Entry(ledger_id=ledger.id, created_by=ledger.user_id, updated_by=ledger.user_id, type=data["type"],
                  amount=data["amount"], occurred_on=data["occurred_on"], account_id=data["account_id"],
                  to_account_id=data.get("to_account_id"),
                  category_id=data.get("category_id"), memo=data.get("memo") or "")
    _set_tags(entry, data.get("tags") or [])
    db.session.add(entry)
    db.session.flush()
    set_committed_value(entry, "currency", ledger.currency)  # what a SELECT of the new row would read
    if totals:
        check_totals(ledger.id)
    return entry


def with_currency(entries: list[Entry], currency: str) -> list[Entry]:
    """Give entries read for a request their ledger's currency (Entry.currency is deferred): no query."""
    for entry in entries:
        set_committed_value(entry, "currency", currency)
    return entries


def get_entry(ledger: LedgerScope, entry_id: int) -> Entry:
    """The ledger's entry with its tags, or NotFound (also for another ledger's entry)."""
    entry = None
    if is_id(entry_id):
        entry = db.session.execute(
            select(Entry).where(Entry.id == entry_id, Entry.ledger_id == ledger.id)
        ).scalar_one_or_none()
    if entry is None:
        raise NotFound("No such entry.")
    return with_currency([entry], ledger.currency)[0]


def etag(entry: Entry) -> str:
    """A strong ETag (quoted) that changes whenever the entry does."""
    return f'"{entry.id}-{entry.version}"'


def check_if_match(entry: Entry, if_match: str | None) -> None:
    """PreconditionFailed unless If-Match is absent, `*`, or lists the entry's current ETag."""
    if if_match is None:
        return
    if not parse_etags(if_match).contains(etag(entry).strip('"')):
        raise PreconditionFailed("The entry has changed since you read it; fetch it again.")


def _commit_versioned(check_totals_of: int | None = None) -> None:
    """Commit, after checking the totals of the ledger `check_totals_of` if given (an amount grew);
    a concurrent change of the row (version moved on) is a 412, not a 500."""
    try:
        if check_totals_of is not None:
            db.session.flush()
            check_totals(check_totals_of)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise PreconditionFailed("The entry was changed by another request; fetch it again.") from None


def update_entry(ledger: LedgerScope, entry_id: int, changes: Mapping[str, Any], if_match: str | None = None) -> Entry:
    """Apply a PATCH: the merged entry is validated as a whole; If-Match guards lost updates."""
    entry = get_entry(ledger, entry_id)
    check_if_match(entry, if_match)
    current = {field: getattr(entry, field) for field in WRITABLE_FIELDS}
    current["tags"] = sorted(current["tags"])
    merged = {**current, **changes}
    merged["memo"] = merged["memo"] or ""
    merged["tags"] = sorted(set(merged["tags"] or []))  # a set: the order tags are sent in means nothing
    unchanged_refs = [f for f in REFERENCE_FIELDS if merged[f] == current[f]]
    validate_entry_refs(ledger.id, merged, archived_ok=unchanged_refs)
    changed = [f for f in WRITABLE_FIELDS if merged[f] != current[f]]
    if not changed:
        return entry
    for field in changed:
        if field == "tags":
            _set_tags(entry, merged["tags"])
        else:
            setattr(entry, field, merged[field])
    # Also when only the tags changed: the entry row is updated, so its version (the ETag) moves on.
    entry.updated_at = utcnow()
    entry.updated_by = ledger.user_id
    _commit_versioned(ledger.id if merged["amount"] > current["amount"] else None)
    return entry


def delete_entry(ledger: LedgerScope, entry_id: int, if_match: str | None = None) -> None:
    """Delete the ledger's entry (its tags go with it); If-Match guards it like an update."""
    entry = get_entry(ledger, entry_id)
    check_if_match(entry, if_match)
    db.session.delete(entry)
    _commit_versioned()


def reassign_category(ledger_id: int, from_id: int, to_id: int) -> int:
    """Move the ledger's entries of category `from_id` to `to_id` (the caller checked both); the caller commits.

    Returns how many entries moved. Each moved entry is a change: its version (the ETag) moves on.
    """
    # A bulk UPDATE bypasses the ORM's version counter: bump it so that ETags held by clients go stale.
    return rowcount(db.session.execute(
        update(Entry).where(Entry.ledger_id == ledger_id, Entry.category_id == from_id)
        .values(category_id=to_id, version=Entry.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ))


def entry_filters(ledger: LedgerScope, args: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the list filters (EntryFilterSchema's loaded keys), always scoped to the ledger.

    Keys: date_from, date_to (dates, inclusive), month ('YYYY-MM', the ledger's accounting month),
    type, account_id (either side of a transfer), category_id (with its children), tag, q
    (case-insensitive memo substring, LIKE wildcards literal), min_amount, max_amount (inclusive).
    Other keys (limit, cursor, ...) are ignored.
    """
    conditions: list[ColumnElement[bool]] = [Entry.ledger_id == ledger.id]
    if args.get("date_from") is not None:
        conditions.append(Entry.occurred_on >= args["date_from"])
    if args.get("date_to") is not None:
        conditions.append(Entry.occurred_on <= args["date_to"])
    if args.get("month"):
        # 0001-01 with a start day > 1 would begin in year 0: 422.
        conditions.append(Entry.occurred_on.between(*month_bounds(args["month"], ledger.month_start_day)))
    if args.get("type"):
        conditions.append(Entry.type == args["type"])
    if args.get("account_id") is not None:
        conditions.append(or_(Entry.account_id == args["account_id"], Entry.to_account_id == args["account_id"]))
    if args.get("category_id") is not None:
        family = select(Category.id).where(
            Category.ledger_id == ledger.id,
            or_(Category.id == args["category_id"], Category.parent_id == args["category_id"]))
        conditions.append(Entry.category_id.in_(family))
    if args.get("tag"):
        conditions.append(Entry.id.in_(select(EntryTag.entry_id).where(EntryTag.tag == args["tag"])))
    if args.get("q"):
        # lower() on both sides (ILIKE on PostgreSQL); autoescape makes % and _ in q literal.
        conditions.append(Entry.memo.icontains(args["q"], autoescape=True))
    if args.get("min_amount") is not None:
        conditions.append(Entry.amount >= args["min_amount"])
    if args.get("max_amount") is not None:
        conditions.append(Entry.amount <= args["max_amount"])
    return conditions


def after_position(occurred_on: date, entry_id: int) -> ColumnElement[bool]:
    """(occurred_on, id) < (d, i), portably; the extra `occurred_on <= d` lets the index seek to the cursor."""
    return and_(Entry.occurred_on <= occurred_on,
                or_(Entry.occurred_on < occurred_on, and_(Entry.occurred_on == occurred_on, Entry.id < entry_id)))


@dataclass
class EntryPage:
    items: list[Entry]
    next_cursor: str | None


def list_entries(ledger: LedgerScope, args: Mapping[str, Any]) -> EntryPage:
    """One keyset page, newest first (ties by id, descending), tags loaded in one more statement."""
    limit: int = args.get("limit", 50)
    conditions = entry_filters(ledger, args)
    if args.get("cursor"):
        conditions.append(after_position(*decode_cursor(args["cursor"])))
    rows = list(db.session.execute(
        select(Entry).where(*conditions).order_by(Entry.occurred_on.desc(), Entry.id.desc()).limit(limit + 1)
    ).scalars())
    items = with_currency(rows[:limit], ledger.currency)
    next_cursor = encode_cursor(items[-1].occurred_on, items[-1].id) if len(rows) > limit else None
    return EntryPage(items=items, next_cursor=next_cursor)
