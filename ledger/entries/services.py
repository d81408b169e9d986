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

from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.http import parse_etags

from ledger.accounts.models import Account
from ledger.cards.billing import CARD_TYPE
from ledger.categories.models import Category
from ledger.database import is_id, utcnow
from ledger.entries.cursor import decode_cursor, encode_cursor
from ledger.entries.models import Entry, EntryLine, EntryTag
from ledger.errors import NotFound, PreconditionFailed, ValidationFailed
from ledger.extensions import db
from ledger.feed.stamp import bulk_update
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.totals import check_totals
from ledger.months import month_bounds

WRITABLE_FIELDS = ("type", "amount", "occurred_on", "account_id", "to_account_id", "category_id", "memo", "tags",
                   "installment_months", "lines", "payee_id")
REFERENCE_FIELDS = ("account_id", "to_account_id", "category_id")


def _add(errors: dict[str, Any], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


MIN_LINES, MAX_LINES = 2, 50


def _shape_errors(data: Mapping[str, Any]) -> dict[str, Any]:
    """The rules that need no database: which references each type needs or forbids, and a split's shape."""
    errors: dict[str, Any] = {}
    lines = data.get("lines") or []
    if data.get("type") == "transfer":
        if data.get("to_account_id") is None:
            _add(errors, "to_account_id", "A transfer needs a to_account_id.")
        elif data.get("to_account_id") == data.get("account_id"):
            _add(errors, "to_account_id", "Must differ from account_id.")
        if data.get("category_id") is not None:
            _add(errors, "category_id", "A transfer has no category.")
        if lines:
            _add(errors, "lines", "A transfer cannot be split.")
    else:
        if lines:
            if data.get("category_id") is not None:
                _add(errors, "category_id", "A split entry has no category of its own: each line has one.")
        elif data.get("category_id") is None:
            _add(errors, "category_id", f"An {data.get('type')} needs a category_id.")
        if data.get("to_account_id") is not None:
            _add(errors, "to_account_id", "Only a transfer has a to_account_id.")
    if lines and "lines" not in errors:
        if not MIN_LINES <= len(lines) <= MAX_LINES:
            _add(errors, "lines", f"A split has {MIN_LINES} to {MAX_LINES} lines (or none).")
        elif sum(line["amount"] for line in lines) != data.get("amount"):
            _add(errors, "lines", f"The lines add up to {sum(line['amount'] for line in lines)}, "
                                  f"not to the entry's amount {data.get('amount')}.")
            errors["_sum"] = True
    return errors


def _raise(errors: dict[str, Any]) -> None:
    """ValidationFailed; split_sum_mismatch when the lines' sum is the only problem."""
    sum_only = errors.pop("_sum", False) and list(errors) == ["lines"]
    if sum_only:
        raise ValidationFailed("The split's lines do not add up to the entry's amount.", errors=errors,
                               code="split_sum_mismatch")
    raise ValidationFailed(errors=errors)


def _line_category_errors(ledger_id: int, data: Mapping[str, Any], archived_ok: Collection[int]) -> dict[str, Any]:
    """lines[i].category_id: the ledger's own, of the entry's kind, not archived (unless kept). One statement."""
    lines = data.get("lines") or []
    wanted = {line["category_id"] for line in lines}
    if not wanted:
        return {}
    found = {row.id: row for row in db.session.execute(
        select(Category.id, Category.kind, Category.archived)
        .where(Category.ledger_id == ledger_id, Category.id.in_(wanted)))}
    by_index: dict[str, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        row = found.get(line["category_id"])
        problem = None
        if row is None:
            problem = "No such category."
        elif row.kind != data.get("type"):
            problem = f"The category is an {row.kind} category; the entry is an {data.get('type')}."
        elif row.archived and line["category_id"] not in archived_ok:
            problem = "The category is archived."
        if problem:
            by_index[str(index)] = {"category_id": [problem]}
    return {"lines": by_index} if by_index else {}


def validate_entry_refs(ledger_id: int, data: Mapping[str, Any], *, archived_ok: Collection[str] = (),
                        kept_line_categories: Collection[int] = ()) -> None:
    """Raise ValidationFailed unless `data` (a whole entry) is consistent and references the ledger's own rows.

    income/expense: a category_id of the same kind, no to_account_id; transfer: a to_account_id
    other than account_id, no category. Accounts and categories must be the ledger's (another
    ledger's is "does not exist", never "not yours") and not archived, except for the fields in
    `archived_ok` (an edit may keep an entry's archived account or category; likewise a line may keep one of
    `kept_line_categories`). A split (`lines`, 2..50) must add up to `amount` (422 split_sum_mismatch when that
    is the only problem), leaves category_id null, and each line's category follows the rules of category_id
    (errors under lines.<index>.category_id). Costs at most three statements.
    """
    errors = _shape_errors(data)
    account_fields = [f for f in ("account_id", "to_account_id") if f not in errors and data.get(f) is not None]
    account_ids = {data[f] for f in account_fields}
    found: dict[int, tuple[bool, str]] = {}
    if account_ids:
        found = {account_id: (archived, type_) for account_id, archived, type_ in db.session.execute(
            select(Account.id, Account.archived, Account.type)
            .where(Account.ledger_id == ledger_id, Account.id.in_(account_ids)))}
        for field in account_fields:
            if data[field] not in found:
                _add(errors, field, "No such account.")
            elif found[data[field]][0] and field not in archived_ok:
                _add(errors, field, "The account is archived.")
    if data.get("installment_months") is not None:
        account = found.get(data.get("account_id") or 0)
        if data.get("type") != "expense" or (account is not None and account[1] != CARD_TYPE):
            _add(errors, "installment_months", "Only an expense on a credit_card account has installments.")
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
    if "lines" not in errors:
        errors.update(_line_category_errors(ledger_id, data, kept_line_categories))
    if errors:
        _raise(errors)


def _set_lines(entry: Entry, ledger_id: int, lines: list[Mapping[str, Any]]) -> None:
    """Replace the entry's lines as a whole (positions 0..n-1); an empty list unsplits it.

    The rows of the positions that stay are updated in place: the unit of work inserts before it deletes, so
    a new row at a position still held would break UNIQUE (entry_id, position).
    """
    rows = list(entry.line_rows)
    for index, line in enumerate(lines):
        if index == len(rows):
            rows.append(EntryLine(ledger_id=ledger_id, position=index))
        rows[index].amount, rows[index].category_id = line["amount"], line["category_id"]
        rows[index].memo = line.get("memo") or ""
    entry.line_rows = rows[:len(lines)]


def _line_values(entry: Entry) -> list[dict[str, Any]]:
    return [{"amount": line.amount, "category_id": line.category_id, "memo": line.memo} for line in entry.line_rows]


def paid_at_once_is_null(installment_months: int | None) -> int | None:
    """1 month of installments is 일시불, stored as NULL like no installments at all."""
    return None if installment_months == 1 else installment_months


def _set_tags(entry: Entry, tags: list[str]) -> None:
    """Replace the entry's tags, keeping the rows of tags that stay (no delete + insert of one key)."""
    wanted = list(dict.fromkeys(tags))
    kept = {row.tag: row for row in entry.tag_rows if row.tag in wanted}
    entry.tag_rows = [kept.get(tag) or EntryTag(tag=tag) for tag in wanted]


def _resolve_payee(ledger: LedgerScope, data: Mapping[str, Any], *, archived_ok: bool = False) -> dict[str, Any]:
    """`data` with `payee` (a name) turned into `payee_id` (found ignoring case, or created), and a given
    payee_id checked to be the ledger's (422 on the field that named it). Both at once is a 422."""
    from ledger.payees.services import check_payee_id, find_or_create

    result = dict(data)
    name = result.pop("payee", None)
    if name is not None:
        if result.get("payee_id") is not None:
            raise ValidationFailed(errors={"payee": ["Give payee or payee_id, not both."]})
        result["payee_id"] = find_or_create(ledger.id, name)
    elif result.get("payee_id") is not None:
        check_payee_id(ledger.id, result["payee_id"], archived_ok=archived_ok)
    return result


def _learn(ledger: LedgerScope, entry: Entry) -> None:
    """The person chose this entry's category by hand for its payee: evidence for a suggested rule."""
    from ledger.payees.services import record_hand_category

    if entry.payee_id is not None and entry.category_id is not None:
        record_hand_category(ledger.id, entry.payee_id, entry.category_id)


def create_entry(ledger: LedgerScope, data: Mapping[str, Any], *, hand_set: Collection[str] | None = None,
                 schedule_id: int | None = None, scheduled_on: date | None = None, totals: bool = True) -> Entry:
    """Validate and add a new entry (flushed, so it has its id; the ledger's totals checked). The caller commits.

    `data` holds the fields of EntryCreateSchema: type, amount, occurred_on (date), account_id,
    and optionally to_account_id, category_id, memo, tags, lines (a split: [{amount, category_id, memo}]),
    installment_months, payee_id or payee (a name: found ignoring case or created), and imported_payee (the raw
    text an import brought; not part of the API's body).
    Every feature that creates entries (API, import, schedules) comes through here, so splits are checked once.
    The ledger's rules run first (ledger.rules.services.apply_rules_on_create) and never change a field named
    in `hand_set` (by default every key of `data`, a request's payload), nor the category of a split.
    A schedule's occurrence names its schedule and nominal date: a second post of it is an IntegrityError at
    the flush (ledger.schedules.services). totals=False leaves the totals check to a caller that adds many
    entries in one transaction (a statement import): it calls check_totals once, after them.
    """
    from ledger.rules.services import apply_rules_on_create

    hand = set(data) if hand_set is None else set(hand_set)
    if "payee" in hand:
        hand.add("payee_id")
    if data.get("lines"):
        hand.add("category_id")  # a split's categories are its lines'
    data = apply_rules_on_create(ledger.id, _resolve_payee(ledger, data), hand)
    data = {**data, "installment_months": paid_at_once_is_null(data.get("installment_months"))}
    validate_entry_refs(ledger.id, data)
    entry = Entry(ledger_id=ledger.id, created_by=ledger.user_id, updated_by=ledger.user_id, type=data["type"],
                  amount=data["amount"], occurred_on=data["occurred_on"], account_id=data["account_id"],
                  to_account_id=data.get("to_account_id"),
                  category_id=data.get("category_id"), memo=data.get("memo") or "",
                  installment_months=data["installment_months"],
                  schedule_id=schedule_id, scheduled_on=scheduled_on,
                  payee_id=data.get("payee_id"), imported_payee=data.get("imported_payee"))
    _set_tags(entry, data.get("tags") or [])
    _set_lines(entry, ledger.id, data.get("lines") or [])
    db.session.add(entry)
    db.session.flush()
    set_committed_value(entry, "currency", ledger.currency)  # what a SELECT of the new row would read
    if totals:
        check_totals(ledger.id)
    if "category_id" in hand and "payee_id" in hand:
        _learn(ledger, entry)
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


def update_entry(ledger: LedgerScope, entry_id: int, changes: Mapping[str, Any], if_match: str | None = None, *,
                 by_hand: bool = True) -> Entry:
    """Apply a PATCH: the merged entry is validated as a whole; If-Match guards lost updates.

    `payee` (a name) is found or created like on create. `by_hand`: the person chose these values (a category
    chosen for a payee counts for the learning); a rule's apply passes False.
    """
    entry = get_entry(ledger, entry_id)
    check_if_match(entry, if_match)
    changes = _resolve_payee(ledger, changes, archived_ok=changes.get("payee_id") == entry.payee_id)
    current = {field: getattr(entry, field) for field in WRITABLE_FIELDS if field != "lines"}
    current["tags"] = sorted(current["tags"])
    current["lines"] = _line_values(entry)
    merged = {**current, **changes}
    merged["memo"] = merged["memo"] or ""
    merged["installment_months"] = paid_at_once_is_null(merged["installment_months"])
    merged["tags"] = sorted(set(merged["tags"] or []))  # a set: the order tags are sent in means nothing
    # Lines are replaced as a whole; null means none, like [].
    merged["lines"] = [{"amount": line["amount"], "category_id": line["category_id"], "memo": line.get("memo") or ""}
                       for line in merged["lines"] or []]
    unchanged_refs = [f for f in REFERENCE_FIELDS if merged[f] == current[f]]
    validate_entry_refs(ledger.id, merged, archived_ok=unchanged_refs,
                        kept_line_categories={line["category_id"] for line in current["lines"]})
    changed = [f for f in WRITABLE_FIELDS if merged[f] != current[f]]
    if not changed:
        return entry
    for field in changed:
        if field == "tags":
            _set_tags(entry, merged["tags"])
        elif field == "lines":
            _set_lines(entry, ledger.id, merged["lines"])
        else:
            setattr(entry, field, merged[field])
    # Also when only the tags or lines changed: the entry row is updated, so its version (the ETag) moves on.
    entry.updated_at = utcnow()
    entry.updated_by = ledger.user_id
    if by_hand and "category_id" in changed:
        _learn(ledger, entry)
    _commit_versioned(ledger.id if merged["amount"] > current["amount"] else None)
    return entry


def delete_entry(ledger: LedgerScope, entry_id: int, if_match: str | None = None) -> None:
    """Delete the ledger's entry (its tags go with it); If-Match guards it like an update."""
    entry = get_entry(ledger, entry_id)
    check_if_match(entry, if_match)
    db.session.delete(entry)
    _commit_versioned()


def reassign_category(ledger_id: int, from_id: int, to_id: int) -> int:
    """Move the ledger's entries and split lines of category `from_id` to `to_id` (the caller checked both);
    the caller commits.

    Returns how many entries moved (an entry whose lines moved counts once). Each moved entry is a change: its
    version (the ETag) moves on.
    """
    with_lines = select(EntryLine.entry_id).where(EntryLine.ledger_id == ledger_id, EntryLine.category_id == from_id)
    # A bulk UPDATE bypasses the ORM's version counter (bump it so that ETags held by clients go stale) and the
    # change feed's stamping (bulk_update numbers the rows). Lines are not a feed kind: their entry is.
    moved = bulk_update(Entry, ledger_id, or_(Entry.category_id == from_id, Entry.id.in_(with_lines)),
                        values={"category_id": case((Entry.category_id == from_id, to_id), else_=Entry.category_id),
                                "version": Entry.version + 1, "updated_at": utcnow()})
    db.session.execute(update(EntryLine).where(EntryLine.ledger_id == ledger_id, EntryLine.category_id == from_id)
                       .values(category_id=to_id).execution_options(synchronize_session=False))
    return moved


def category_in_use(ledger_id: int, category_id: int) -> bool:
    """Whether an entry or a split line of the ledger has this category."""
    entry = select(Entry.id).where(Entry.ledger_id == ledger_id, Entry.category_id == category_id).limit(1)
    line = select(EntryLine.id).where(EntryLine.ledger_id == ledger_id, EntryLine.category_id == category_id).limit(1)
    return db.session.execute(entry).first() is not None or db.session.execute(line).first() is not None


def reassign_payee(ledger_id: int, from_id: int, to_id: int) -> int:
    """Move the ledger's entries of payee `from_id` to `to_id` (a merge; the caller checked both and commits).

    One UPDATE (bulk_update: numbered for the change feed); each moved entry's version (the ETag) moves on.
    Returns how many moved.
    """
    return bulk_update(Entry, ledger_id, Entry.payee_id == from_id,
                       values={"payee_id": to_id, "version": Entry.version + 1, "updated_at": utcnow()})


def forget_author(user_id: int) -> None:
    """Inside the transaction that deletes a user: their entries in the ledgers that stay lose their author
    (created_by/updated_by NULL, what the foreign keys' ON DELETE SET NULL would do), as changes of the feed."""
    for field in (Entry.created_by, Entry.updated_by):
        ledger_ids = db.session.execute(select(Entry.ledger_id).where(field == user_id).distinct()
                                        .order_by(Entry.ledger_id)).scalars().all()
        for ledger_id in ledger_ids:
            bulk_update(Entry, ledger_id, field == user_id, values={field.key: None})


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
        # A split entry matches when one of its lines is in the family.
        conditions.append(or_(Entry.category_id.in_(family), Entry.id.in_(
            select(EntryLine.entry_id).where(EntryLine.ledger_id == ledger.id, EntryLine.category_id.in_(family)))))
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
