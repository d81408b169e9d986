"""A statement's rows under a mapping: parsed, fingerprinted and marked new | duplicate | possible_duplicate |
cancel_pair | skipped | error. Reads the database (fingerprints, the account's entries) but writes nothing."""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from ledger.entries.models import Entry
from ledger.extensions import db
from ledger.imports.models import ImportFingerprint
from ledger.money import parse_amount
from ledger.months import parse_date

MARKS = ("new", "duplicate", "possible_duplicate", "cancel_pair", "skipped", "error")
# Why a row is skipped or in error: stable codes a client words in its language.
REASONS = ("blank", "total", "not_a_row", "date_invalid", "amount_invalid", "amount_missing", "amount_both")
INCLUDABLE = frozenset({"new", "possible_duplicate", "cancel_pair"})
TOTAL_WORDS = ("합계", "총계", "소계", "총합계", "total")
CANCEL_WORDS = ("취소", "cancel")
FUZZY_DAYS = 3
FIELDS_REQUIRED_MESSAGE = "A mapping needs a date column and an amount (or withdrawal/deposit) column."

_DATE = re.compile(r"^(?P<y>[0-9]{4})\s*[.\-/년]?\s*(?P<m>[0-9]{1,2})\s*[.\-/월]?\s*(?P<d>[0-9]{1,2})(?![0-9])")
_SHORT_DATE = re.compile(r"^(?P<y>[0-9]{2})[.\-/](?P<m>[0-9]{1,2})[.\-/](?P<d>[0-9]{1,2})(?![0-9])")
_DIGIT_START = re.compile(r"[0-9]")
_INSTALLMENT = re.compile(r"([0-9]{1,2})")


def parse_statement_date(text: str) -> date:
    """'2026.11.03', '2026-11-03 14:22', '20261103', '2026/11/3', '2026년 11월 3일', '26.11.03' → a date.

    The parts are rewritten as YYYY-MM-DD and read by ledger.months.parse_date (the one date parser)."""
    value = text.strip()
    match = _DATE.match(value) or _SHORT_DATE.match(value)
    if not match:
        raise ValueError("Not a date.")
    year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
    return parse_date(f"{year:04d}-{int(match['m']):02d}-{int(match['d']):02d}")


def parse_statement_amount(text: str) -> int:
    """'12,300', '12,300원', '-5,000', '(5,000)', '₩1,000', '1000.00' → signed minor units (0 for an empty cell).

    The magnitude is read by ledger.money.parse_amount (the one amount parser); KRW has no minor unit."""
    value = "".join(text.split()).replace(",", "").replace("원", "").replace("₩", "").replace("\\", "")
    if value in {"", "-", "0"}:
        return 0
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.startswith(("-", "+")):
        negative, value = value[0] == "-", value[1:]
    elif value.endswith("-"):
        negative, value = True, value[:-1]
    whole, dot, fraction = value.partition(".")
    if dot and fraction and set(fraction) == {"0"}:  # "1000.00": KRW has no minor unit
        value = whole
    if value.strip("0") == "":
        return 0
    amount = parse_amount(value.lstrip("0"))
    return -amount if negative else amount


def normalise_payee(text: str) -> str:
    value = text.lower().replace("(주)", "").replace("주식회사", "").replace("㈜", "")
    return "".join(ch for ch in value if ch.isalnum())


def similar_payee(a: str, b: str) -> bool:
    left, right = normalise_payee(a), normalise_payee(b)
    if not left or not right:
        return True
    return left in right or right in left or difflib.SequenceMatcher(None, left, right).ratio() >= 0.6


@dataclass
class Row:
    index: int  # in the sheet, 0-based
    cells: list[str]
    mark: str = "new"
    reason: str | None = None
    occurred_on: date | None = None
    type: str | None = None  # expense | income
    amount: int | None = None
    payee: str = ""
    installment: int | None = None
    cancel: bool = False
    balance: str = ""
    fingerprint: str | None = None
    entry_id: int | None = None  # the entry a duplicate matches
    pair: int | None = None  # the other row of a cancel pair
    include: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def _cell(cells: list[str], mapping: dict[str, int], name: str) -> str:
    index = mapping.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _parse(row: Row, mapping: dict[str, int]) -> None:
    cells = row.cells
    if not any(cell.strip() for cell in cells):
        row.mark, row.reason = "skipped", "blank"
        return
    joined = " ".join(cells).lower()
    date_text = _cell(cells, mapping, "date")
    try:
        row.occurred_on = parse_statement_date(date_text)
    except ValueError:
        row.occurred_on = None
    if row.occurred_on is None and any(word in normalise_payee(joined) for word in TOTAL_WORDS):
        row.mark, row.reason = "skipped", "total"
        return
    amount_cells = [_cell(cells, mapping, name) for name in ("amount", "withdrawal", "deposit")]
    if row.occurred_on is None and not _DIGIT_START.match(date_text) and not any(amount_cells):
        row.mark, row.reason = "skipped", "not_a_row"  # a note under the table, a repeated title
        return
    row.payee = _cell(cells, mapping, "payee")
    row.balance = _cell(cells, mapping, "balance")
    status = _cell(cells, mapping, "status")
    row.cancel = any(word in status.lower() for word in CANCEL_WORDS)
    installment = _cell(cells, mapping, "installment")
    found = _INSTALLMENT.search(installment)
    row.installment = int(found.group(1)) if found and int(found.group(1)) > 1 else None
    if row.occurred_on is None:
        row.errors["date"] = "date_invalid"
    try:
        if "withdrawal" in mapping or "deposit" in mapping:
            out = abs(parse_statement_amount(_cell(cells, mapping, "withdrawal")))
            into = abs(parse_statement_amount(_cell(cells, mapping, "deposit")))
            if out and into:
                row.errors["amount"] = "amount_both"
            elif out or into:
                row.type, row.amount = ("expense", out) if out else ("income", into)
            else:
                signed = parse_statement_amount(_cell(cells, mapping, "amount"))
                if not signed:
                    row.errors["amount"] = "amount_missing"
                row.type, row.amount = ("income" if signed > 0 else "expense"), abs(signed)
        else:
            signed = parse_statement_amount(_cell(cells, mapping, "amount"))
            if not signed:
                row.errors["amount"] = "amount_missing"
            row.cancel = row.cancel or signed < 0
            row.type, row.amount = ("income" if row.cancel else "expense"), abs(signed)
    except ValueError:
        row.errors["amount"] = "amount_invalid"
    if row.errors:
        row.mark = "error"
        row.reason = next(iter(row.errors.values()))


def _pair_cancels(rows: list[Row]) -> None:
    """A 취소 row and the purchase it reverses (same amount, same payee) → both cancel_pair."""
    open_rows: dict[tuple[int | None, str], list[Row]] = {}
    for row in rows:
        if row.mark == "new" and not row.cancel:
            open_rows.setdefault((row.amount, normalise_payee(row.payee)), []).append(row)
    for row in rows:
        if row.mark == "new" and row.cancel:
            candidates = open_rows.get((row.amount, normalise_payee(row.payee)))
            if candidates:
                original = candidates.pop(0)
                row.mark = original.mark = "cancel_pair"
                row.pair, original.pair = original.index, row.index


def _fingerprints(rows: list[Row], account_id: int) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.mark in {"skipped", "error"}:
            continue
        key = (row.occurred_on, row.type, row.amount, normalise_payee(row.payee), row.balance)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        text = "|".join(str(part) for part in (account_id, *key, occurrence))
        row.fingerprint = hashlib.sha256(text.encode()).hexdigest()


def _mark_duplicates(rows: list[Row], ledger_id: int, account_id: int) -> None:
    printed = [row for row in rows if row.fingerprint]
    known: dict[str, int] = {}
    prints = [row.fingerprint for row in printed if row.fingerprint]
    for start in range(0, len(prints), 500):
        known.update(db.session.execute(
            select(ImportFingerprint.fingerprint, ImportFingerprint.entry_id).where(
                ImportFingerprint.ledger_id == ledger_id, ImportFingerprint.account_id == account_id,
                ImportFingerprint.fingerprint.in_(prints[start:start + 500]))).all())
    for row in printed:
        if row.fingerprint in known:
            row.mark, row.entry_id = "duplicate", known[row.fingerprint]
    candidates = [row for row in rows if row.mark == "new" and row.occurred_on is not None]
    if not candidates:
        return
    first = min(row.occurred_on for row in candidates if row.occurred_on) - timedelta(days=FUZZY_DAYS)
    last = max(row.occurred_on for row in candidates if row.occurred_on) + timedelta(days=FUZZY_DAYS)
    by_amount: dict[int, list[tuple[int, date, str]]] = {}
    for entry_id, occurred_on, amount, memo in db.session.execute(
            select(Entry.id, Entry.occurred_on, Entry.amount, Entry.memo).where(
                Entry.ledger_id == ledger_id, Entry.account_id == account_id,
                Entry.occurred_on.between(first, last))):
        by_amount.setdefault(amount, []).append((entry_id, occurred_on, memo))
    for row in candidates:
        for entry_id, occurred_on, memo in by_amount.get(row.amount or 0, ()):
            if row.occurred_on and abs((occurred_on - row.occurred_on).days) <= FUZZY_DAYS \
                    and similar_payee(row.payee, memo):
                row.mark, row.entry_id = "possible_duplicate", entry_id
                break


def build_rows(cells: list[list[str]], header_row: int, mapping: dict[str, int], choices: dict[str, bool],
               ledger_id: int, account_id: int) -> list[Row]:
    """Every row under the header, parsed and marked; `include` from the choices, else new rows only."""
    rows = [Row(index=index, cells=cells[index]) for index in range(header_row + 1, len(cells))]
    for row in rows:
        _parse(row, mapping)
    _pair_cancels(rows)
    _fingerprints(rows, account_id)
    _mark_duplicates(rows, ledger_id, account_id)
    for row in rows:
        chosen = choices.get(str(row.index))
        row.include = row.mark in INCLUDABLE and (chosen if chosen is not None else row.mark == "new")
    return rows


def counts(rows: list[Row]) -> dict[str, int]:
    result = {mark: 0 for mark in MARKS}
    for row in rows:
        result[row.mark] += 1
    result["included"] = sum(row.include for row in rows)
    result["imported"] = 0
    return result
