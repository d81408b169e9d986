"""Statement imports: upload → preview → (PATCH mapping and choices) → commit in one transaction; expiry, purge,
saved profiles. Entries are written only through ledger.entries.services.create_entry."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from ledger.accounts.services import get_account
from ledger.categories.services import create_missing_categories, resolve_category_paths
from ledger.database import rowcount, utcnow
from ledger.entries.schemas import IMPORTED_PAYEE_MAX, MEMO_MAX
from ledger.entries.services import create_entry
from ledger.errors import ApiError, Conflict, Gone, NotFound, ValidationFailed
from ledger.extensions import db
from ledger.imports import profiles
from ledger.imports.models import ImportFingerprint, ImportProfile, StatementImport
from ledger.imports.preview import FIELDS_REQUIRED_MESSAGE, INCLUDABLE, Row, build_rows, counts
from ledger.imports.readers import read_table, refuse
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.totals import check_totals

LIFETIME = timedelta(days=1)
# The category of imported rows until the reader files them (the rules of the payee issue may choose another).
UNCATEGORISED = ("미분류",)


def _profile_for(ledger_id: int, account_id: int, header: list[str],
                 wanted: str | None) -> tuple[str | None, dict[str, int]]:
    """(profile name, mapping): the one asked for, else a saved one with this header, else a built-in, else
    the proposal from the column names."""
    saved = db.session.execute(select(ImportProfile).where(
        ImportProfile.ledger_id == ledger_id, ImportProfile.account_id == account_id,
        ImportProfile.signature == profiles.signature(header))).scalar_one_or_none()
    if wanted:
        for builtin in profiles.BUILTIN_PROFILES:
            if wanted == builtin.key:
                mapping = builtin.matches(header)
                if mapping is None:
                    raise ValidationFailed("The file's columns are not those of this profile.",
                                           errors={"profile": [f"The header does not match {builtin.name}."]})
                return builtin.key, mapping
        if saved is not None and wanted == saved.name:
            return saved.name, {k: int(v) for k, v in saved.mapping.items()}
        raise ValidationFailed(errors={"profile": ["No such profile for this file and account."]})
    if saved is not None:
        return saved.name, {k: int(v) for k, v in saved.mapping.items()}
    found = profiles.match_builtin(header)
    if found is not None:
        return found[0].key, found[1]
    return None, profiles.propose(header)


def create_import(ledger: LedgerScope, account_id: int, filename: str, data: bytes, password: str | None,
                  profile: str | None) -> StatementImport:
    """Read the file (the password is used here only) and store its table for a preview."""
    account = get_account(ledger.id, account_id)
    if account.archived:
        raise ValidationFailed(errors={"account_id": ["The account is archived."]})
    table = read_table(data, password)
    header_row = profiles.find_header(table.rows)
    if header_row is None:
        raise refuse("not_a_statement", "No header with a date and an amount column was found.")
    header = table.rows[header_row]
    name, mapping = _profile_for(ledger.id, account_id, header, profile)
    now = utcnow()
    statement = StatementImport(ledger_id=ledger.id, account_id=account_id, created_by=ledger.user_id,
                                filename=filename[:255], format=table.format, encoding=table.encoding, profile=name,
                                header_row=header_row, cells=table.rows, mapping=mapping, choices={},
                                status="preview", created_at=now, expires_at=now + LIFETIME)
    db.session.add(statement)
    db.session.commit()
    return statement


def get_import(ledger: LedgerScope, import_id: int, *, lock: bool = False) -> StatementImport:
    query = select(StatementImport).where(StatementImport.id == import_id, StatementImport.ledger_id == ledger.id)
    if lock:
        query = query.with_for_update()
    statement = db.session.execute(query).scalar_one_or_none()
    if statement is None:
        raise NotFound("No such import.")
    if statement.expires_at <= utcnow():
        raise Gone("The upload has expired; upload the file again.", code="import_expired")
    return statement


def preview_rows(statement: StatementImport) -> list[Row]:
    return build_rows(statement.cells, statement.header_row, {k: int(v) for k, v in statement.mapping.items()},
                      statement.choices, statement.ledger_id, statement.account_id)


def update_import(ledger: LedgerScope, import_id: int, changes: dict[str, Any]) -> StatementImport:
    """Change the header row, the mapping, per-row choices; optionally save the mapping as a profile."""
    statement = get_import(ledger, import_id)
    if statement.status == "committed":
        raise Conflict("The import is committed; it can no longer change.", code="import_committed")
    if "header_row" in changes:
        if not 0 <= changes["header_row"] < len(statement.cells):
            raise ValidationFailed(errors={"header_row": ["No such row."]})
        statement.header_row = changes["header_row"]
        statement.choices = {}
        if "mapping" not in changes:
            statement.mapping = profiles.propose(statement.cells[statement.header_row])
    width = len(statement.cells[statement.header_row])
    if "mapping" in changes:
        mapping = {name: index for name, index in changes["mapping"].items() if index is not None}
        bad = [name for name, index in mapping.items() if not 0 <= index < width]
        if bad:
            raise ValidationFailed(errors={"mapping": [f"{name}: no such column." for name in bad]})
        if len(set(mapping.values())) != len(mapping):
            raise ValidationFailed(errors={"mapping": ["Two fields cannot share a column."]})
        if not profiles.usable(mapping):
            raise ValidationFailed(errors={"mapping": [FIELDS_REQUIRED_MESSAGE]})
        statement.mapping = mapping
        statement.profile = None
    if changes.get("rows"):
        rows = {row.index: row for row in preview_rows(statement)}
        choices = dict(statement.choices)
        errors = []
        for choice in changes["rows"]:
            row = rows.get(choice["index"])
            if row is None:
                errors.append(f"Row {choice['index']}: no such row.")
            elif choice["include"] and row.mark not in INCLUDABLE:
                errors.append(f"Row {choice['index']}: a {row.mark} row cannot be included.")
            else:
                choices[str(choice["index"])] = choice["include"]
        if errors:
            raise ValidationFailed(errors={"rows": errors})
        statement.choices = choices
    if changes.get("save_profile"):
        _save_profile(ledger, statement, changes["save_profile"])
        statement.profile = changes["save_profile"]
    db.session.commit()
    return statement


def saved_profiles(ledger: LedgerScope) -> list[ImportProfile]:
    """The ledger's saved mappings, by account then name."""
    return list(db.session.execute(select(ImportProfile).where(ImportProfile.ledger_id == ledger.id)
                                   .order_by(ImportProfile.account_id, ImportProfile.name, ImportProfile.id))
                .scalars())


def delete_saved_profile(ledger: LedgerScope, profile_id: int) -> None:
    """Forget a saved mapping (the next upload with that header gets a built-in or proposed one again)."""
    profile = db.session.execute(select(ImportProfile).where(
        ImportProfile.id == profile_id, ImportProfile.ledger_id == ledger.id)).scalar_one_or_none()
    if profile is None:
        raise NotFound("No such saved profile.")
    db.session.delete(profile)
    db.session.commit()


def _save_profile(ledger: LedgerScope, statement: StatementImport, name: str) -> None:
    header = statement.cells[statement.header_row]
    signature = profiles.signature(header)
    saved = db.session.execute(select(ImportProfile).where(
        ImportProfile.account_id == statement.account_id, ImportProfile.signature == signature)).scalar_one_or_none()
    if saved is None:
        db.session.add(ImportProfile(ledger_id=ledger.id, account_id=statement.account_id, name=name,
                                     signature=signature, mapping=dict(statement.mapping)))
    else:
        saved.name, saved.mapping = name, dict(statement.mapping)


def _entry_payload(row: Row, account_id: int, category_ids: dict[str, int]) -> dict[str, Any]:
    """The one place a statement row becomes the body of create_entry.

    The merchant is kept as the entry's `imported_payee` (what the payee rules match on) and, with the
    installment and cancel notes, as its memo. Category and memo are not the person's choice, so the ledger's
    rules may set them (everything but STATED_BY_FILE).
    """
    memo = row.payee
    if row.installment:
        memo = f"{memo} (할부 {row.installment}개월)".strip()
    if row.cancel and row.mark != "cancel_pair":
        memo = f"{memo} (취소)".strip()
    assert row.type is not None and row.amount is not None and row.occurred_on is not None
    return {"type": row.type, "amount": row.amount, "occurred_on": row.occurred_on, "account_id": account_id,
            "category_id": category_ids[row.type], "memo": memo[:MEMO_MAX], "tags": [],
            "imported_payee": row.payee[:IMPORTED_PAYEE_MAX] or None}


# What the file itself states; the rest of a statement row's entry is the ledger's rules' to fill in.
STATED_BY_FILE = ("type", "amount", "occurred_on", "account_id", "imported_payee")


def _uncategorised(ledger_id: int) -> dict[str, int]:
    """The ids of the 미분류 expense and income categories, created (through their service) when missing."""
    resolution = resolve_category_paths(ledger_id, [("expense", UNCATEGORISED), ("income", UNCATEGORISED)])
    create_missing_categories(ledger_id, resolution)
    ids = {}
    for kind in ("expense", "income"):
        found = resolution.find(kind, UNCATEGORISED)
        if found is None:
            raise LookupError("the uncategorised category was not created")
        ids[kind] = found[0]
    return ids


def commit_import(ledger: LedgerScope, import_id: int) -> dict[str, int]:
    """Write the included rows in ONE transaction (all or nothing); a second commit answers the first's counts."""
    statement = get_import(ledger, import_id, lock=True)
    if statement.status == "committed" and statement.result is not None:
        db.session.rollback()
        return dict(statement.result)
    get_account(ledger.id, statement.account_id)
    rows = preview_rows(statement)
    chosen = [row for row in rows if row.include]
    result = counts(rows)
    try:
        if chosen:
            category_ids = _uncategorised(ledger.id)
            fingerprints = []
            for row in chosen:
                entry = create_entry(ledger, _entry_payload(row, statement.account_id, category_ids),
                                     hand_set=STATED_BY_FILE, totals=False)
                fingerprints.append({"ledger_id": ledger.id, "account_id": statement.account_id,
                                     "fingerprint": row.fingerprint, "entry_id": entry.id})
            db.session.execute(insert(ImportFingerprint), fingerprints)
            check_totals(ledger.id)
        result["imported"] = len(chosen)
        statement.status = "committed"
        statement.result = result
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Another import wrote some of these rows meanwhile; preview again.",
                       code="import_conflict") from None
    except ApiError:
        db.session.rollback()
        raise
    return result


def purge_imports(now: datetime | None = None) -> int:
    """Delete the uploads past their expiry (committed or not); the fingerprints stay."""
    count = rowcount(db.session.execute(delete(StatementImport).where(StatementImport.expires_at <= (now or utcnow()))))
    db.session.commit()
    return count
