"""Every model, imported in one place so that Alembic sees the whole schema."""
from ledger.accounts.models import Account
from ledger.auth.models import RefreshToken, Session, User
from ledger.budgets.models import Budget
from ledger.categories.models import Category
from ledger.entries.models import Entry, EntryTag, IdempotencyKey
from ledger.imports.models import ImportFingerprint, ImportProfile, StatementImport
from ledger.ledgers.models import Ledger, LedgerInvite, LedgerMember

__all__ = ["Account", "Budget", "Category", "Entry", "EntryTag", "IdempotencyKey", "ImportFingerprint",
           "ImportProfile", "Ledger", "LedgerInvite",
           "LedgerMember", "RefreshToken", "Session", "StatementImport", "User"]
