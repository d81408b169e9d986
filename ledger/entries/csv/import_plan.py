"""An import's plan: the file's rows parsed by the rules of POST /entries, and their names resolved against
the ledger's accounts and categories (through their services). Nothing here writes."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.accounts.services import accounts_by_name
from ledger.categories.services import PathResolution, resolve_category_paths
from ledger.database import NAME_MAX_LENGTH
from ledger.entries.csv.codec import (
    BASE_HEADER,
    CATEGORY_SEPARATOR,
    HEADER,
    TAG_SEPARATOR,
    split_escaped,
    unescape_formula,
)
from ledger.entries.models import ENTRY_TYPES
from ledger.entries.schemas import LINES_MAX, MEMO_MAX, TAG_MAX, TAGS_MAX
from ledger.errors import ValidationFailed
from ledger.money import parse_amount
from ledger.months import DATE_SHAPE, parse_date
from ledger.schemas import name_length_problem

# A file where every row is bad would otherwise answer with an enormous error document.
MAX_REPORTED_ROWS = 100
SPLIT_GROUP_MAX = 100
# The columns every row of one split group must agree on (the entry's own fields).
GROUP_COLUMNS = ("occurred_on", "type", "account", "tags", "split_total", "split_memo")


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
    "parent_archived",        # a new child category under an archived parent (categories.services.Refusal)
    "required",               # an empty account (or to_account, or category level) name
    "same_account",           # a transfer to the account it comes from
    "split_count",            # a split group of 1 or more than 50 rows (lines)
    "split_group_required",   # split_total or split_memo without a split_group
    "split_mismatch",         # rows of one split group differ in an entry's field (date, type, account, ...)
    "split_sum_mismatch",     # the amounts of a split group's rows do not add up to its split_total
    "split_transfer",         # a transfer in a split group (transfers cannot be split)
    "tag_length",             # a tag of 0 or more than TAG_MAX characters after trimming
    "too_long",               # a name or memo beyond its maximum length
    "too_many_tags",          # more than TAGS_MAX tags
    "transfer_category",      # a transfer with a category
    "transfer_only",          # a to_account on an income or expense
    "type_invalid",           # not one of ENTRY_TYPES
)


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
    # A line of a split entry: the group's key, the entry's amount and memo (category/amount/memo: the line's).
    group: str | None = None
    total: int = 0
    entry_memo: str = ""
    # The cells of GROUP_COLUMNS as written, to compare a group's rows.
    group_cells: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """The file's good rows with their names resolved: existing accounts (id, archived) by name, the accounts
    to create (first seen first), and the categories (found, to create)."""

    rows: list[ImportRow]
    accounts: dict[str, tuple[int, bool]]
    new_accounts: list[str]
    categories: PathResolution


@dataclass
class BadRows:
    """Every bad row's line, messages and codes by column ("_row" for the record as a whole)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

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


def _name(value: str, messages: list[RowError]) -> str:
    """A name as the API stores it: trimmed, 1..NAME_MAX_LENGTH characters."""
    value = value.strip()
    problem = name_length_problem(value)
    if problem == "required":
        messages.append(RowError("required", "Missing data for required field."))
    elif problem == "too_long":
        messages.append(RowError("too_long", f"Longer than maximum length {NAME_MAX_LENGTH}."))
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
    try:
        return parse_date(value)
    except ValueError:
        messages.append(RowError("date_invalid", DATE_SHAPE))
        return None


def _parse_amount(value: str, messages: list[RowError]) -> int:
    try:
        return parse_amount(value)
    except ValueError as error:
        messages.append(RowError("amount_invalid", str(error)))
        return 0


def parse_row(line: int, cells: list[str], header: tuple[str, ...] = HEADER
              ) -> tuple[ImportRow | None, dict[str, list[RowError]]]:
    """One record → an ImportRow, or the reasons by column (the rules of POST /entries)."""
    if len(cells) != len(header):
        return None, {"_row": [RowError("field_count", f"Expected {len(header)} fields, got {len(cells)}.")]}
    values = dict.fromkeys(HEADER, "") | dict(zip(header, cells, strict=True))
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

    group = values["split_group"].strip() or None
    total, entry_memo = 0, ""
    if group is None:
        if values["split_total"] or values["split_memo"]:
            messages["split_group"].append(RowError("split_group_required",
                                                    "split_total and split_memo need a split_group."))
    else:
        if len(group) > SPLIT_GROUP_MAX:
            messages["split_group"].append(RowError("too_long", f"Longer than maximum length {SPLIT_GROUP_MAX}."))
        total = _parse_amount(values["split_total"], messages["split_total"])
        entry_memo = unescape_formula(values["split_memo"])
        if len(entry_memo) > MEMO_MAX:
            messages["split_memo"].append(RowError("too_long", f"Longer than maximum length {MEMO_MAX}."))

    errors = {column: found for column, found in messages.items() if found}
    if errors or occurred_on is None:  # no date is a date_invalid error
        return None, errors
    return ImportRow(line=line, occurred_on=occurred_on, type=entry_type, account=account, to_account=to_account,
                     category=category, amount=amount, memo=memo, tags=tags, group=group, total=total,
                     entry_memo=entry_memo, group_cells=tuple(values[column] for column in GROUP_COLUMNS)), {}


def _group_errors(rows: list[ImportRow]) -> dict[str, list[RowError]]:
    """What is wrong with one split group as a whole (the same errors go to each of its rows)."""
    if rows[0].type == "transfer":
        return {"split_group": [RowError("split_transfer", "A transfer cannot be split.")]}
    if not 2 <= len(rows) <= LINES_MAX:
        return {"split_group": [RowError("split_count", f"A split group has 2 to {LINES_MAX} rows.")]}
    for index, column in enumerate(GROUP_COLUMNS):
        if len({row.group_cells[index] for row in rows}) > 1:
            return {column: [RowError("split_mismatch", f"Every row of a split group must have the same {column}.")]}
    if sum(row.amount for row in rows) != rows[0].total:
        return {"split_total": [RowError("split_sum_mismatch",
                                         "The amounts of the split group's rows must add up to split_total.")]}
    return {}


def check_groups(rows: list[ImportRow], bad: BadRows) -> list[ImportRow]:
    """The rows without the bad split groups (each of whose rows goes to `bad`)."""
    groups: dict[str, list[ImportRow]] = {}
    for row in rows:
        if row.group is not None:
            groups.setdefault(row.group, []).append(row)
    refused: set[str] = set()
    for key, members in groups.items():
        errors = _group_errors(members)
        if errors:
            refused.add(key)
            for row in members:
                bad.add(row.line, errors)
    return [row for row in rows if row.group not in refused]


def parse_csv(text: str, bad: BadRows) -> list[ImportRow]:
    """The file's good records; each bad one goes to `bad`. A wrong header is a 422 on `header`.

    A record's line is the physical line it starts on (1-based, the header is line 1; a quoted memo may
    span lines). Blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or tuple(header) not in (HEADER, BASE_HEADER):
        raise ValidationFailed("The first line is not the export's header.",
                               errors={"header": [f"Must be exactly: {','.join(HEADER)} "
                                                  f"(or, without splits, {','.join(BASE_HEADER)})"]})
    columns = tuple(header)
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
        row, errors = parse_row(line, cells, columns)
        if row is None:
            bad.add(line, errors)
        else:
            rows.append(row)
    return check_groups(rows, bad)


def plan_import(ledger_id: int, text: str) -> ImportPlan:
    """Parse the file and resolve its names (2 queries), or ValidationFailed listing every bad row.

    Like POST /entries, an archived account or category cannot receive entries; like POST /categories, an
    archived parent takes no new child. Such rows are bad rows too.
    """
    bad = BadRows()
    rows = parse_csv(text, bad)
    accounts = accounts_by_name(ledger_id)
    categories = resolve_category_paths(ledger_id, [(row.type, row.category) for row in rows if row.category])
    new_accounts: dict[str, None] = {}
    for row in rows:
        errors: dict[str, list[RowError]] = {}
        for column, name in (("account", row.account), ("to_account", row.to_account)):
            if name is None:
                continue
            if name not in accounts:
                new_accounts[name] = None
            elif accounts[name][1]:
                errors[column] = [RowError("account_archived", "The account is archived.")]
        if row.category is not None:
            found = categories.find(row.type, row.category)
            refusal = categories.refused.get((row.type, row.category))
            if refusal is not None:
                errors["category"] = [RowError(refusal.code, refusal.message)]
            elif found is not None and found[1]:
                errors["category"] = [RowError("category_archived", "The category is archived.")]
        if errors:
            bad.add(row.line, errors)
    bad.raise_if_any()
    return ImportPlan(rows=rows, accounts=accounts, new_accounts=list(new_accounts), categories=categories)
