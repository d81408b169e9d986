"""Generated statements in the shapes of the built-in profiles (docs/imports.md): made-up rows, never real data."""
from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl

from ledger.imports.profiles import BUILTIN_PROFILES


@dataclass
class Tx:
    day: str  # YYYY-MM-DD
    payee: str
    amount: int  # > 0 spent, < 0 received (bank) / cancelled (card)
    installment: int = 0
    cancel: bool = False


BANK_ROWS = [Tx("2026-11-03", "스타벅스 강남점", 4500), Tx("2026-11-03", "스타벅스 강남점", 4500),
             Tx("2026-11-05", "월급", -3_000_000), Tx("2026-11-09", "GS25 역삼점", 12_300)]
CARD_ROWS = [Tx("2026-11-02", "쿠팡(주)", 35_000, installment=3), Tx("2026-11-04", "이마트 성수점", 81_200),
             Tx("2026-11-04", "이마트 성수점", 81_200, cancel=True), Tx("2026-11-07", "메가커피", 2000),
             Tx("2026-11-07", "메가커피", 2000)]


def _profile(key: str):
    return next(p for p in BUILTIN_PROFILES if p.key == key)


def _date(day: str, style: str) -> str:
    y, m, d = day.split("-")
    return {"dot": f"{y}.{m}.{d}", "time": f"{day} 14:22", "compact": f"{y}{m}{d}", "iso": day}[style]


def statement_rows(key: str, txs: list[Tx], *, date_style: str = "dot", preamble: bool = True,
                   total: bool = True) -> list[list[object]]:
    """Preamble rows, the header of profile `key`, the rows, and a 합계 row."""
    profile = _profile(key)
    fields = list(profile.columns)
    header = [profile.columns[f] for f in fields]
    rows: list[list[object]] = []
    if preamble:
        rows += [[f"{profile.name}"], ["계좌번호", "123-456-7890"], ["조회기간", "2026.11.01 ~ 2026.11.30"], []]
    rows.append(header)
    balance = 5_000_000
    for tx in txs:
        balance -= tx.amount
        values = {"date": _date(tx.day, date_style), "payee": tx.payee, "memo": "체크카드" if tx.amount > 0 else "이체",
                  "balance": f"{balance:,}"}
        if profile.kind == "bank":
            values["withdrawal"] = f"{tx.amount:,}" if tx.amount > 0 else "0"
            values["deposit"] = f"{-tx.amount:,}" if tx.amount < 0 else "0"
        else:
            values["amount"] = f"-{tx.amount:,}" if tx.cancel and key == "samsung_card" else f"{tx.amount:,}"
            values["installment"] = f"{tx.installment}개월" if tx.installment else "일시불"
            values["status"] = ("취소" if tx.cancel else "정상") if key != "samsung_card" else \
                ("취소" if tx.cancel else "일반")
        rows.append([values[f] for f in fields])
    if total:
        rows.append(["합계", "", f"{sum(t.amount for t in txs):,}"])
    return rows


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", sep: str = ",") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def html_xls(rows: list[list[object]]) -> bytes:
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<html><head><meta charset="utf-8"></head><body><table border="1">{body}</table></body></html>'
            ).encode()


def encrypted_xlsx(rows: list[list[object]], password: str) -> bytes:
    import msoffcrypto.format.ooxml as ooxml

    plain = io.BytesIO(xlsx(rows))
    out = io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt(password, out)
    return out.getvalue()


def zip_bomb() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (8 * 1024 * 1024))
    return out.getvalue()
