"""A statement file → a table of text cells: format and encoding detection, xlsx/xls/HTML/CSV/TSV readers,
decryption, and the checks that refuse what is not a statement (a zip bomb, an empty sheet, binary noise).

Real libraries only: openpyxl (read-only, formulas never evaluated: a formula cell reads as its text, "=..."),
xlrd 2 for BIFF .xls, msoffcrypto-tool for password-protected Excel, the stdlib html.parser for the HTML tables
that many Korean banks serve as ".xls", and the csv module for CSV/TSV. The password is used here and dropped.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from html.parser import HTMLParser

from ledger.errors import ApiError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all members of an .xlsx together
MAX_RATIO = 200  # uncompressed / compressed, per member larger than 1 MiB
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELL = 500


class ImportRefused(ApiError):
    status, code = 422, "not_a_statement"


@dataclass
class Table:
    format: str  # xlsx | xls | html | csv | tsv
    encoding: str | None  # text formats only: utf-8-sig | utf-8 | cp949
    rows: list[list[str]]


def refuse(code: str, detail: str) -> ImportRefused:
    return ImportRefused(detail, code=code, errors={"file": [detail]})


def cell_text(value: object) -> str:
    """A cell as text: dates as ISO, integral floats without ".0", everything else str() (formulas stay text)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()[:MAX_CELL]


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    if len(rows) > MAX_ROWS:
        raise refuse("too_many_rows", f"A statement may have at most {MAX_ROWS} rows.")
    return [row[:MAX_COLUMNS] for row in rows]


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise refuse("not_a_statement", "The file is not a readable Excel workbook.") from None
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise refuse("archive_too_large", "The workbook expands to far more than its size (a zip bomb?).")
    if total > MAX_UNCOMPRESSED:
        raise refuse("archive_too_large", "The workbook expands to more than 200 MB.")
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise refuse("not_a_statement", "The zip file is not an Excel workbook.")
    return archive


def read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl

    _check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise refuse("not_a_statement", "The file is not a readable Excel workbook.") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return []
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([cell_text(value) for value in values])
            if len(rows) > MAX_ROWS:
                break
        return _trimmed(rows)
    finally:
        book.close()


def read_xls(data: bytes) -> list[list[str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception:  # xlrd raises XLRDError, struct.error, ... for a damaged file
        raise refuse("not_a_statement", "The file is not a readable Excel workbook.") from None
    rows = []
    for index in range(min(sheet.nrows, MAX_ROWS + 1)):
        row = []
        for cell in sheet.row(index):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
            else:
                row.append(cell_text(cell.value))
        rows.append(row)
    return _trimmed(rows)


class _TableParser(HTMLParser):
    """The rows of the first <table> that has any (nested tables' cells join their outer cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
        elif self.depth == 1 and tag == "tr":
            self.row = []
        elif self.depth == 1 and tag in {"td", "th"} and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth = max(self.depth - 1, 0)
        elif self.depth == 1 and tag in {"td", "th"} and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split())[:MAX_CELL])
            self.cell = None
        elif self.depth == 1 and tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_html(text: str) -> list[list[str]]:
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [table for table in parser.tables if table]
    if not tables:
        raise refuse("not_a_statement", "The HTML file holds no table.")
    return _trimmed(max(tables, key=len))


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): a UTF-8 BOM, else strict UTF-8, else CP949 (never euc_kr: it lacks most Hangul)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            raise refuse("unreadable_encoding", "The file starts with a UTF-8 BOM but is not UTF-8.") from None
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise refuse("unreadable_encoding", "The text is neither UTF-8 nor CP949.")


def read_delimited(text: str) -> tuple[str, list[list[str]]]:
    lines = text.splitlines()[:40]
    tabs = sum(line.count("\t") for line in lines)
    commas = sum(line.count(",") for line in lines)
    fmt, delimiter = ("tsv", "\t") if tabs > commas else ("csv", ",")
    try:
        rows = [[" ".join(cell.split())[:MAX_CELL] for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise refuse("not_a_statement", "The text is not a readable CSV file.") from None
    return fmt, _trimmed(rows)


def _decrypt(data: bytes, password: str | None) -> bytes:
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception:  # olefile/msoffcrypto raise many kinds for a damaged file
        return data
    if not encrypted:
        return data
    if not password:
        raise ImportRefused("The workbook is protected by a password; give it with the upload.",
                            code="password_required", errors={"password": ["A password is required."]})
    out = io.BytesIO()
    try:
        office.load_key(password=password)
        office.decrypt(out)
    except (InvalidKeyError, DecryptionError):
        raise ImportRefused("The password does not open the workbook.", code="wrong_password",
                            errors={"password": ["Wrong password."]}) from None
    except Exception:
        raise ImportRefused("The password does not open the workbook.", code="wrong_password",
                            errors={"password": ["Wrong password."]}) from None
    return out.getvalue()


def _looks_like_html(head: bytes) -> bool:
    sample = head[:4096].lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    return sample.startswith((b"<", b"\x00<")) or b"<table" in sample


def _plain_rows(rows: list[list[str]]) -> list[list[str]]:
    if not any(any(cell for cell in row) for row in rows):
        raise refuse("empty_statement", "The sheet has no rows.")
    return rows


def read_table(data: bytes, password: str | None = None) -> Table:
    """The first sheet (or table) of the file as text rows; ImportRefused with a stable code otherwise."""
    if not data.strip():
        raise refuse("empty_statement", "The file is empty.")
    if data.startswith(OLE_MAGIC):
        plain = _decrypt(data, password)
        if plain.startswith(ZIP_MAGIC):
            return Table("xlsx", None, _plain_rows(read_xlsx(plain)))
        return Table("xls", None, _plain_rows(read_xls(plain)))
    if data.startswith(ZIP_MAGIC):
        return Table("xlsx", None, _plain_rows(read_xlsx(data)))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("not_a_statement", "The file is neither a spreadsheet nor text.")
    if _looks_like_html(data):
        text, encoding = decode_text(data)
        return Table("html", encoding, _plain_rows(read_html(text)))
    text, encoding = decode_text(data)
    fmt, rows = read_delimited(text)
    return Table(fmt, encoding, _plain_rows(rows))
