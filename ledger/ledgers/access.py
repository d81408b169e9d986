"""What the auth check learns about the ledger a request acts on: the caller's membership and its settings.

Imported by the auth check itself, so it imports nothing of the auth package.
"""
from __future__ import annotations

from dataclasses import dataclass

from ledger.ledgers.models import WRITER_ROLES


@dataclass(frozen=True)
class LedgerScope:
    """The ledger of this request (its id in the path, else the caller's default ledger) and the caller's role.

    Every ledger service takes one: its queries filter on `id`, its writes record `user_id` as the author.
    """

    id: int
    name: str
    currency: str
    month_start_day: int
    role: str
    user_id: int

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"
