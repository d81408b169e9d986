"""What every new user starts with; called inside the transaction that creates the user."""
from __future__ import annotations

from ledger.accounts.models import Account
from ledger.auth.models import User
from ledger.categories.models import Category
from ledger.extensions import db

DEFAULT_ACCOUNT = ("Cash", "cash")

# (name, kind, colour): a household's usual categories.
DEFAULT_CATEGORIES = [
    ("Food", "expense", "#e4572e"),
    ("Cafe & snacks", "expense", "#a0522d"),
    ("Transport", "expense", "#17bebb"),
    ("Housing", "expense", "#4e6e81"),
    ("Utilities", "expense", "#ffc914"),
    ("Phone & internet", "expense", "#76b041"),
    ("Health", "expense", "#e84855"),
    ("Education", "expense", "#2e86ab"),
    ("Shopping", "expense", "#f18f01"),
    ("Leisure", "expense", "#9b5de5"),
    ("Gifts & events", "expense", "#f15bb5"),
    ("Other expense", "expense", "#8d99ae"),
    ("Salary", "income", "#2a9d8f"),
    ("Side income", "income", "#43aa8b"),
    ("Interest", "income", "#90be6d"),
    ("Other income", "income", "#577590"),
]


def provision_new_user(user: User) -> None:
    """A cash account and the default categories for a new user."""
    db.session.add(Account(user_id=user.id, name=DEFAULT_ACCOUNT[0], type=DEFAULT_ACCOUNT[1]))
    db.session.add_all(Category(user_id=user.id, name=name, kind=kind, color=color)
                       for name, kind, color in DEFAULT_CATEGORIES)
