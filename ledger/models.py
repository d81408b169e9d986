"""Every model, imported in one place so that Alembic sees the whole schema."""
from ledger.accounts.models import Account
from ledger.auth.mfa.models import AuthChallenge, RecoveryCode, UserMfa, WebauthnCredential
from ledger.auth.models import RefreshToken, Session, User
from ledger.budgets.models import Budget
from ledger.categories.models import Category
from ledger.entries.models import Entry, EntryTag, IdempotencyKey
from ledger.ledgers.models import Ledger, LedgerInvite, LedgerMember

__all__ = ["Account", "AuthChallenge", "Budget", "Category", "Entry", "EntryTag", "IdempotencyKey", "Ledger",
           "LedgerInvite", "LedgerMember", "RecoveryCode", "RefreshToken", "Session", "User", "UserMfa",
           "WebauthnCredential"]
