"""What every new ledger starts with; called inside the transaction that creates the ledger."""
from __future__ import annotations

from ledger.accounts.services import add_accounts
from ledger.categories.services import add_categories

# The cash account and a household's usual categories, named in the person's language:
# (English name, Korean name, kind, colour).
DEFAULT_ACCOUNT = {"en": "Cash", "ko": "현금"}
DEFAULT_CATEGORIES = [
    ("Food", "식비", "expense", "#e4572e"),
    ("Cafe & snacks", "카페·간식", "expense", "#a0522d"),
    ("Transport", "교통", "expense", "#17bebb"),
    ("Housing", "주거", "expense", "#4e6e81"),
    ("Utilities", "공과금", "expense", "#ffc914"),
    ("Phone & internet", "통신", "expense", "#76b041"),
    ("Health", "의료", "expense", "#e84855"),
    ("Education", "교육", "expense", "#2e86ab"),
    ("Shopping", "쇼핑", "expense", "#f18f01"),
    ("Leisure", "여가", "expense", "#9b5de5"),
    ("Gifts & events", "경조사", "expense", "#f15bb5"),
    ("Other expense", "기타 지출", "expense", "#8d99ae"),
    ("Salary", "급여", "income", "#2a9d8f"),
    ("Side income", "부수입", "income", "#43aa8b"),
    ("Interest", "이자", "income", "#90be6d"),
    ("Other income", "기타 수입", "income", "#577590"),
]
LOCALES = ("en", "ko")


def provision_ledger(ledger_id: int, locale: str = "en") -> None:
    """A cash account and the default categories for a new ledger, in `locale` ("en" or "ko")."""
    korean = locale == "ko"
    add_accounts(ledger_id, [DEFAULT_ACCOUNT[locale if korean else "en"]], "cash")
    add_categories(ledger_id, [(ko if korean else en, kind, color) for en, ko, kind, color in DEFAULT_CATEGORIES])
