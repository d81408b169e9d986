"""CSV export and import of entries: the services behind GET /entries/export.csv and POST /entries/import.

The file format (also in the OpenAPI descriptions, see ledger.entries.csv_routes.FORMAT_DOC):

* UTF-8, with a BOM on export (accepted, not required, on import); RFC 4180 quoting; CRLF line ends on export.
* Header ``occurred_on,type,account,to_account,category,amount,memo,tags``; one entry per record.
* ``amount`` is an integer of minor units. ``account``, ``to_account`` and ``category`` are names.
* ``category`` of a child category is ``Parent/Child``. Inside a name, ``\\`` is written ``\\\\`` and ``/``
  is written ``\\/``, so every name round-trips.
* ``tags`` are joined by ``;``. Inside a tag, ``\\`` is written ``\\\\`` and ``;`` is written ``\\;``.
* Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR (or with ``'``
  followed by one of those or by another ``'``) gets a leading ``'``; import removes exactly that quote.
  ``amount`` is never quoted this way (it is a plain number).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, insert, select

from ledger.accounts.models import Account
from ledger.categories.models import Category
from ledger.database import utcnow
from ledger.entries.models import ENTRY_TYPES, Entry, EntryTag
from ledger.entries.schemas import MEMO_MAX, TAG_MAX, TAGS_MAX
from ledger.entries.services import after_position
from ledger.errors import ValidationFailed
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.totals import check_totals
from ledger.money import MAX_AMOUNT

HEADER = ("occurred_on", "type", "account", "to_account", "category", "amount", "memo", "tags")
BOM = "\ufeff"
CATEGORY_SEPARATOR = "/"
TAG_SEPARATOR = ";"
# Rows fetched per export query: the export's memory does not grow with the number of entries.
EXPORT_BATCH_SIZE = 1000
# A file where every row is bad would otherwise answer with an enormous error document.
MAX_REPORTED_ROWS = 100

MAX_NAME_LENGTH = 100  # accounts.name, categories.name

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AMOUNT_RE = re.compile(r"[1-9][0-9]{0,15}")
AMOUNT_MESSAGE = f"Must be an integer of minor units from 1 to {MAX_AMOUNT} (digits only)."


@dataclass(frozen=True)
class RowError:
    """A reason a row is refused: a stable `code` a client can put in its reader's words, and the English
    `message` the API has always sent. ROW_ERROR_CODES lists every code (the OpenAPI document shows them)."""

    code: str
    message: str


ROW_ERROR_CODES = (
    "account_archived",       # the row's account (or to_account) is archived
    "amount_invalid",         # not digits, or outside 1..MAX_AMOUNT
    "category_archived",      # the row's category is archived
    "category_levels",        # more than Parent/Child
    "category_required",      # an income or expense without a category
    "date_invalid",           # not a YYYY-MM-DD calendar date
    "escape_invalid",         # a backslash not followed by itself or the separator
    "field_count",            # the record has more or fewer cells than the header
    "malformed_csv",          # the file cannot be split into records from here on
    "nul_character",          # a cell holds a NUL character
    "required",               # an empty account (or to_account, or category level) name
    "same_account",           # a transfer to the account it comes from
    "tag_length",             # a tag of 0 or more than TAG_MAX characters after trimming
    "too_long",               # a name or memo beyond its maximum length
    "too_many_tags",          # more than TAGS_MAX tags
    "transfer_category",      # a transfer with a category
    "transfer_only",          # a to_account on an income or expense
    "type_invalid",           # not one of ENTRY_TYPES
)


# --- cell encodings ----------------------------------------------------------------------------------

def escape_formula(value: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula (OWASP "CSV injection")."""
    if value and (value[0] in FORMULA_TRIGGERS or (value[0] == "'" and value[1:2] and value[1] in
                                                   FORMULA_TRIGGERS | {"'"})):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula (a hand-written leading quote before anything else is kept)."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_TRIGGERS | {"'"}:
        return value[1:]
    return value


def _escape_part(value: str, separator: str) -> str:
    return value.replace("\\", "\\\\").replace(separator, "\\" + separator)


def join_escaped(parts: list[str] | tuple[str, ...], separator: str) -> str:
    """Join with `separator`, escaping it (and the backslash) inside each part."""
    return separator.join(_escape_part(part, separator) for part in parts)


def split_escaped(value: str, separator: str) -> list[str]:
    """The inverse of join_escaped; ValueError for a dangling or unknown escape."""
    parts, current, chars = [], [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, None)
            if following not in {"\\", separator}:
                raise ValueError(f"A backslash must be followed by \\ or {separator}.")
            current.append(following)
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def category_cell(path: tuple[str, ...]) -> str:
    return join_escaped(path, CATEGORY_SEPARATOR)


# --- export -------------------------------------------------------------------------------------------

def _category_paths(ledger_id: int) -> dict[int, tuple[str, ...]]:
    rows = db.session.execute(select(Category.id, Category.name, Category.parent_id)
                              .where(Category.ledger_id == ledger_id)).all()
    names = {row.id: row.name for row in rows}
    return {row.id: (names[row.parent_id], row.name) if row.parent_id else (row.name,) for row in rows}


def _tags_by_entry(entry_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    rows = db.session.execute(select(EntryTag.entry_id, EntryTag.tag).where(EntryTag.entry_id.in_(entry_ids))
                              .order_by(EntryTag.entry_id, EntryTag.tag))
    for entry_id, tag in rows:
        tags.setdefault(entry_id, []).append(tag)
    return tags


def export_csv(ledger: LedgerScope, conditions: list[ColumnElement[bool]]) -> Iterator[bytes]:
    """The ledger's entries matching `conditions` as CSV chunks (BOM and header first), newest first.

    Reads EXPORT_BATCH_SIZE entries per query, keyset-paginated on (occurred_on, id), so memory and the
    number of statements per row stay constant: 2 lookups, then 2 queries (entries, tags) per batch.
    """
    accounts = dict(db.session.execute(select(Account.id, Account.name).where(Account.ledger_id == ledger.id)).all())
    categories = _category_paths(ledger.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield (BOM + buffer.getvalue()).encode()

    base = (select(Entry.id, Entry.occurred_on, Entry.type, Entry.account_id, Entry.to_account_id,
                   Entry.category_id, Entry.amount, Entry.memo)
            .where(Entry.ledger_id == ledger.id, *conditions)
            .order_by(Entry.occurred_on.desc(), Entry.id.desc())
            .limit(EXPORT_BATCH_SIZE))
    after: tuple[date, int] | None = None
    while True:
        query = base if after is None else base.where(after_position(*after))
        rows = db.session.execute(query).all()
        if not rows:
            return
        tags = _tags_by_entry([row.id for row in rows])
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow((
                row.occurred_on.isoformat(),
                row.type,
                escape_formula(accounts[row.account_id]),
                escape_formula(accounts[row.to_account_id]) if row.to_account_id else "",
                escape_formula(category_cell(categories[row.category_id])) if row.category_id else "",
                str(row.amount),
                escape_formula(row.memo or ""),
                escape_formula(join_escaped(tags.get(row.id, []), TAG_SEPARATOR)),
            ))
        yield buffer.getvalue().encode()
        if len(rows) < EXPORT_BATCH_SIZE:
            return
        after = (rows[-1].occurred_on, rows[-1].id)


# --- import -------------------------------------------------------------------------------------------

@dataclass
class ImportRow:
    line: int
    occurred_on: date
    type: str
    account: str
    to_account: str | None
    category: tuple[str, ...] | None
    amount: int
    memo: str
    tags: list[str]


@dataclass
class ImportResult:
    imported: int
    created_accounts: list[str]
    created_categories: list[str]
    dry_run: bool


@dataclass
class _Plan:
    """An import's names resolved: existing (id, archived) by key, and what must be created (first seen first)."""

    accounts: dict[str, tuple[int, bool]]
    # (kind, parent_id or 0, name) → (id, archived)
    categories: dict[tuple[str, int, str], tuple[int, bool]]
    new_accounts: list[str] = field(default_factory=list)
    # (kind, path) where path is (name,) or (parent, child); a new parent comes before its children.
    new_categories: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


@dataclass
class _BadRows:
    """Every bad row's line, messages and codes by column ("_row" for the record as a whole)."""

    rows: list[dict] = field(default_factory=list)

    def add(self, line: int, errors: dict[str, list[RowError]]) -> None:
        self.rows.append({"line": line,
                          "errors": {column: [e.message for e in found] for column, found in errors.items()},
                          "codes": {column: [e.code for e in found] for column, found in errors.items()}})

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        self.rows.sort(key=lambda row: row["line"])
        listed = self.rows[:MAX_REPORTED_ROWS]
        shown = "" if len(listed) == len(self.rows) else f"; the first {len(listed)} are listed"
        raise ValidationFailed(f"{len(self.rows)} row(s) are invalid{shown}. Nothing was imported.",
                               errors={"rows": listed})


def decode_body(body: bytes) -> str:
    """UTF-8 text of the body, without a BOM; invalid UTF-8 is a 422."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed("The body is not valid UTF-8.",
                               errors={"body": [f"Invalid UTF-8 at byte {error.start}."]}) from None


def _name(value: str, messages: list[RowError]) -> str:
    """A name as the API stores it: trimmed, 1..100 characters."""
    value = value.strip()
    if not value:
        messages.append(RowError("required", "Missing data for required field."))
    elif len(value) > MAX_NAME_LENGTH:
        messages.append(RowError("too_long", f"Longer than maximum length {MAX_NAME_LENGTH}."))
    return value


def _parse_category(cell: str, messages: list[RowError]) -> tuple[str, ...] | None:
    try:
        parts = split_escaped(unescape_formula(cell), CATEGORY_SEPARATOR)
    except ValueError as error:
        messages.append(RowError("escape_invalid", str(error)))
        return None
    if len(parts) > 2:
        messages.append(RowError("category_levels",
                                 "At most two levels, Parent/Child (a / inside a name is written \\/)."))
        return None
    path = tuple(_name(part, messages) for part in parts)
    return None if messages else path


def _parse_tags(cell: str, messages: list[RowError]) -> list[str]:
    if cell == "":
        return []
    try:
        tags = [tag.strip() for tag in split_escaped(unescape_formula(cell), TAG_SEPARATOR)]
    except ValueError as error:
        messages.append(RowError("escape_invalid", str(error)))
        return []
    if any(not 1 <= len(tag) <= TAG_MAX for tag in tags):
        messages.append(RowError("tag_length", f"Each tag must be 1 to {TAG_MAX} characters after trimming."))
    tags = list(dict.fromkeys(tags))  # duplicates collapse, as in POST /entries
    if len(tags) > TAGS_MAX:
        messages.append(RowError("too_many_tags", f"At most {TAGS_MAX} tags."))
    return tags


def _parse_date(value: str, messages: list[RowError]) -> date | None:
    if _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    messages.append(RowError("date_invalid", "Must be a date as YYYY-MM-DD."))
    return None


def _parse_amount(value: str, messages: list[RowError]) -> int:
    # Digits only: "12.5", "1e3", "0", "-5", "+5" and " 12" are all refused, as a JSON amount would be.
    if _AMOUNT_RE.fullmatch(value) and int(value) <= MAX_AMOUNT:
        return int(value)
    messages.append(RowError("amount_invalid", AMOUNT_MESSAGE))
    return 0


def parse_row(line: int, cells: list[str]) -> tuple[ImportRow | None, dict[str, list[RowError]]]:
    """One record → an ImportRow, or the reasons by column (the rules of POST /entries)."""
    if len(cells) != len(HEADER):
        return None, {"_row": [RowError("field_count", f"Expected {len(HEADER)} fields, got {len(cells)}.")]}
    values = dict(zip(HEADER, cells, strict=True))
    nul = {column: [RowError("nul_character", "Must not contain NUL characters.")]
           for column, value in values.items() if "\x00" in value}
    if nul:
        return None, nul
    messages: dict[str, list[RowError]] = {column: [] for column in HEADER}

    occurred_on = _parse_date(values["occurred_on"], messages["occurred_on"])
    entry_type = values["type"]
    if entry_type not in ENTRY_TYPES:
        messages["type"].append(RowError("type_invalid", f"Must be one of: {', '.join(ENTRY_TYPES)}."))
    amount = _parse_amount(values["amount"], messages["amount"])
    account = _name(unescape_formula(values["account"]), messages["account"])

    to_account: str | None = None
    if entry_type == "transfer":
        to_account = _name(unescape_formula(values["to_account"]), messages["to_account"])
        if to_account and to_account == account:
            messages["to_account"].append(RowError("same_account", "Must differ from account."))
    elif values["to_account"]:
        messages["to_account"].append(RowError("transfer_only", "Only a transfer has a to_account."))

    category: tuple[str, ...] | None = None
    if entry_type == "transfer":
        if values["category"]:
            messages["category"].append(RowError("transfer_category", "A transfer has no category."))
    elif values["category"]:
        category = _parse_category(values["category"], messages["category"])
    elif entry_type in ENTRY_TYPES:
        messages["category"].append(RowError(
            "category_required", "Missing data for required field (income and expense need a category)."))

    memo = unescape_formula(values["memo"])
    if len(memo) > MEMO_MAX:
        messages["memo"].append(RowError("too_long", f"Longer than maximum length {MEMO_MAX}."))
    tags = _parse_tags(values["tags"], messages["tags"])

    errors = {column: found for column, found in messages.items() if found}
    if errors or occurred_on is None:  # no date is a date_invalid error
        return None, errors
    return ImportRow(line=line, occurred_on=occurred_on, type=entry_type, account=account, to_account=to_account,
                     category=category, amount=amount, memo=memo, tags=tags), {}


def parse_csv(text: str, bad: _BadRows) -> list[ImportRow]:
    """The file's good records; each bad one goes to `bad`. A wrong header is a 422 on `header`.

    A record's line is the physical line it starts on (1-based, the header is line 1; a quoted memo may
    span lines). Blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or tuple(header) != HEADER:
        raise ValidationFailed("The first line is not the export's header.",
                               errors={"header": [f"Must be exactly: {','.join(HEADER)}"]})
    rows: list[ImportRow] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            # After a quoting error the rest of the file cannot be split into records reliably.
            bad.add(line, {"_row": [RowError("malformed_csv", f"Malformed CSV: {error}.")]})
            break
        if cells is None:
            break
        if not cells:
            continue
        row, errors = parse_row(line, cells)
        if row is None:
            bad.add(line, errors)
        else:
            rows.append(row)
    return rows


def _plan(ledger_id: int, rows: list[ImportRow], bad: _BadRows) -> _Plan:
    """Resolve names against the ledger's accounts and categories (2 queries); list what must be created.

    Like POST /entries, an archived account or category cannot receive entries: such rows go to `bad`.
    """
    plan = _Plan(
        accounts={name: (aid, archived) for aid, name, archived in db.session.execute(
            select(Account.id, Account.name, Account.archived).where(Account.ledger_id == ledger_id))},
        categories={(kind, parent_key, name): (cid, archived) for cid, kind, parent_key, name, archived in
                    db.session.execute(select(Category.id, Category.kind, Category.parent_key, Category.name,
                                              Category.archived).where(Category.ledger_id == ledger_id))},
    )
    new_accounts: dict[str, None] = {}
    new_categories: dict[tuple[str, tuple[str, ...]], None] = {}
    for row in rows:
        errors: dict[str, list[RowError]] = {}
        for column, name in (("account", row.account), ("to_account", row.to_account)):
            if name is None:
                continue
            if name not in plan.accounts:
                new_accounts[name] = None
            elif plan.accounts[name][1]:
                errors[column] = [RowError("account_archived", "The account is archived.")]
        if row.category is not None:
            parent = plan.categories.get((row.type, 0, row.category[0]))
            target = parent if len(row.category) == 1 or parent is None else \
                plan.categories.get((row.type, parent[0], row.category[1]))
            if parent is None:
                new_categories[(row.type, row.category[:1])] = None
            if target is None:
                new_categories[(row.type, row.category)] = None
            elif target[1]:
                errors["category"] = [RowError("category_archived", "The category is archived.")]
        if errors:
            bad.add(row.line, errors)
    plan.new_accounts = list(new_accounts)
    plan.new_categories = list(new_categories)
    return plan


def _create_names(ledger_id: int, plan: _Plan) -> None:
    """Create the plan's accounts (type "other") and categories, and record their ids in the plan."""
    accounts = [Account(ledger_id=ledger_id, name=name, type="other") for name in plan.new_accounts]
    parents = [Category(ledger_id=ledger_id, name=path[0], kind=kind, parent_key=0)
               for kind, path in plan.new_categories if len(path) == 1]
    db.session.add_all([*accounts, *parents])
    db.session.flush()
    plan.accounts.update((account.name, (account.id, False)) for account in accounts)
    plan.categories.update(((c.kind, 0, c.name), (c.id, False)) for c in parents)
    children = []
    for kind, path in plan.new_categories:
        if len(path) == 2:
            parent_id = plan.categories[(kind, 0, path[0])][0]
            children.append(Category(ledger_id=ledger_id, name=path[1], kind=kind, parent_id=parent_id,
                                     parent_key=parent_id))
    if children:
        db.session.add_all(children)
        db.session.flush()
        plan.categories.update(((c.kind, c.parent_key, c.name), (c.id, False)) for c in children)


def _category_id(plan: _Plan, kind: str, path: tuple[str, ...]) -> int:
    parent_id = plan.categories[(kind, 0, path[0])][0]
    return parent_id if len(path) == 1 else plan.categories[(kind, parent_id, path[1])][0]


def import_csv(ledger: LedgerScope, body: bytes, *, dry_run: bool = False) -> ImportResult:
    """Import a CSV in the export's format: every row in one transaction, or none (ValidationFailed).

    Unknown accounts are created with type "other", unknown categories with the kind of the row's type
    ("Parent/Child" creates both levels). With dry_run nothing is written; the result says what would be.
    Entries and tags are inserted in bulk, last row first (so exporting the imported entries gives back the
    file's order, ties included).
    """
    bad = _BadRows()
    rows = parse_csv(decode_body(body), bad)
    plan = _plan(ledger.id, rows, bad)
    bad.raise_if_any()
    result = ImportResult(imported=len(rows), created_accounts=list(plan.new_accounts),
                          created_categories=[category_cell(path) for _, path in plan.new_categories],
                          dry_run=dry_run)
    if not rows:
        return result
    if dry_run:
        check_totals(ledger.id, adding=sum(row.amount for row in rows))  # what the import would add
        return result
    _create_names(ledger.id, plan)
    # Bottom-up: the export lists ties newest id first, so this keeps their order in the next export.
    rows.reverse()
    now = utcnow()
    entry_ids = db.session.scalars(
        insert(Entry).returning(Entry.id, sort_by_parameter_order=True),
        [{"ledger_id": ledger.id, "created_by": ledger.user_id, "updated_by": ledger.user_id, "type": row.type,
          "amount": row.amount, "occurred_on": row.occurred_on,
          "account_id": plan.accounts[row.account][0],
          "to_account_id": plan.accounts[row.to_account][0] if row.to_account else None,
          "category_id": _category_id(plan, row.type, row.category) if row.category else None,
          "memo": row.memo, "version": 1, "created_at": now, "updated_at": now}
         for row in rows],
    ).all()
    tags = [{"entry_id": entry_id, "tag": tag} for entry_id, row in zip(entry_ids, rows, strict=True)
            for tag in row.tags]
    if tags:
        db.session.execute(insert(EntryTag), tags)
    check_totals(ledger.id)
    db.session.commit()
    return result
