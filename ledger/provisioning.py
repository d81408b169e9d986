"""What every new user starts with; called inside the transaction that creates the user."""
from __future__ import annotations

from ledger.auth.models import User


def provision_new_user(user: User) -> None:
    """Give a new user their default ledger data (the ledger feature adds it here)."""
    return None
