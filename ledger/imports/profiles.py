"""Column mappings: the fields a statement row maps to, the header row found below any preamble, the built-in
profiles of common Korean bank and card statements (docs/imports.md), and header signatures for saved ones."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

# A mapping: field → column index. date and either amount or withdrawal/deposit are required.
FIELDS = ("date", "payee", "amount", "withdrawal", "deposit", "balance", "installment", "status", "memo")

CONTAINED_ORDER = ("date", "withdrawal", "deposit", "balance", "installment", "status", "amount", "payee", "memo")

# Header names (normalised: no spaces, lower case) each field is proposed for, most specific first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("거래일시", "거래일자", "이용일시", "이용일자", "이용일", "거래일", "승인일자", "승인일", "일자", "날짜",
             "date", "transactiondate"),
    "payee": ("가맹점명", "이용가맹점", "가맹점", "이용하신가맹점", "적요", "내용", "거래내용", "기재내용",
              "보낸분/받는분", "받는분", "payee", "merchant", "description"),
    "amount": ("이용금액", "승인금액", "거래금액", "금액", "amount"),
    "withdrawal": ("출금금액", "출금액", "찾으신금액", "출금", "지급금액", "withdrawal"),
    "deposit": ("입금금액", "입금액", "맡기신금액", "입금", "deposit"),
    "balance": ("거래후잔액", "잔액", "balance"),
    "installment": ("할부개월", "할부기간", "할부", "installment"),
    "status": ("취소여부", "승인구분", "거래구분", "상태", "매출구분", "status"),
    "memo": ("메모", "비고", "처리점", "거래점", "memo", "note"),
}


def normalise(text: str) -> str:
    return "".join(text.split()).lower()


@dataclass(frozen=True)
class BuiltinProfile:
    key: str
    name: str
    kind: str  # bank | card
    columns: dict[str, str]  # field → the header text of that issuer

    def matches(self, header: list[str]) -> dict[str, int] | None:
        names = [normalise(cell) for cell in header]
        mapping = {}
        for field, column in self.columns.items():
            if normalise(column) not in names:
                return None
            mapping[field] = names.index(normalise(column))
        return mapping


BUILTIN_PROFILES = (
    BuiltinProfile("kb_bank", "KB국민은행 거래내역", "bank", {
        "date": "거래일시", "payee": "보낸분/받는분", "withdrawal": "출금액(원)", "deposit": "입금액(원)",
        "balance": "잔액(원)", "memo": "적요"}),
    BuiltinProfile("shinhan_bank", "신한은행 거래내역", "bank", {
        "date": "거래일자", "payee": "내용", "withdrawal": "출금(원)", "deposit": "입금(원)", "balance": "잔액(원)",
        "memo": "거래점"}),
    BuiltinProfile("woori_bank", "우리은행 거래내역", "bank", {
        "date": "거래일시", "payee": "기재내용", "withdrawal": "찾으신금액", "deposit": "맡기신금액",
        "balance": "거래후 잔액", "memo": "적요"}),
    BuiltinProfile("shinhan_card", "신한카드 이용내역", "card", {
        "date": "이용일자", "payee": "이용가맹점", "amount": "이용금액", "installment": "할부개월",
        "status": "취소여부"}),
    BuiltinProfile("samsung_card", "삼성카드 이용내역", "card", {
        "date": "이용일", "payee": "가맹점", "amount": "이용금액", "installment": "할부기간",
        "status": "매출구분"}),
    BuiltinProfile("hyundai_card", "현대카드 이용내역", "card", {
        "date": "이용일", "payee": "이용하신 가맹점", "amount": "이용금액", "installment": "할부",
        "status": "승인구분"}),
)
BUILTIN_KEYS = tuple(profile.key for profile in BUILTIN_PROFILES)


def propose(header: list[str]) -> dict[str, int]:
    """Each field → the first column whose name is one of its synonyms (exact first, then contained)."""
    names = [normalise(cell) for cell in header]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        # Contained names: the specific fields first ("출금액(원)" holds "금액" too).
        for field in FIELDS if exact else CONTAINED_ORDER:
            if field in mapping:
                continue
            for synonym in SYNONYMS[field]:
                found = [i for i, name in enumerate(names) if i not in taken and name
                         and (name == synonym if exact else synonym in name)]
                if found:
                    mapping[field] = found[0]
                    taken.add(found[0])
                    break
    return mapping


def usable(mapping: dict[str, int]) -> bool:
    return "date" in mapping and ("amount" in mapping or "withdrawal" in mapping or "deposit" in mapping)


def find_header(rows: list[list[str]], limit: int = 40) -> int | None:
    """The index of the first row (among the first `limit`) that reads as a statement's header."""
    for index, row in enumerate(rows[:limit]):
        if usable(propose(row)) and len(propose(row)) >= 2:
            return index
    return None


def match_builtin(header: list[str]) -> tuple[BuiltinProfile, dict[str, int]] | None:
    for profile in BUILTIN_PROFILES:
        mapping = profile.matches(header)
        if mapping is not None:
            return profile, mapping
    return None


def signature(header: list[str]) -> str:
    """A header's signature: the SHA-256 of its normalised non-empty names, in order."""
    return hashlib.sha256("\x1f".join(normalise(cell) for cell in header if cell.strip()).encode()).hexdigest()
