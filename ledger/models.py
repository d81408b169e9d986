"""Every model, imported in one place so that Alembic sees the whole schema."""
from ledger.accounts.models import Account
from ledger.auth.mfa.models import AuthChallenge, RecoveryCode, UserMfa, WebauthnCredential
from ledger.auth.models import RefreshToken, Session, User
from ledger.budgets.models import Budget
from ledger.categories.models import Category
from ledger.entries.models import Entry, EntryTag, IdempotencyKey
from ledger.feed import stamp  # noqa: F401 - the listener that stamps every flush of a feed table
from ledger.feed.models import ChangeTombstone
from ledger.imports.models import ImportFingerprint, ImportProfile, StatementImport
from ledger.ledgers.models import Ledger, LedgerInvite, LedgerMember
from ledger.payees.models import Payee, PayeeCategoryUse, SuggestionDecline
from ledger.rules.models import Rule
from ledger.schedules.models import Schedule, ScheduleSkip

__all__ = ["Account", "AuthChallenge", "Budget", "Category", "ChangeTombstone", "Entry", "EntryTag",
           "IdempotencyKey", "ImportFingerprint", "ImportProfile", "Ledger", "LedgerInvite", "LedgerMember", "Payee",
           "PayeeCategoryUse", "RecoveryCode", "RefreshToken", "Rule", "Schedule", "ScheduleSkip", "Session",
           "StatementImport", "SuggestionDecline", "User", "UserMfa", "WebauthnCredential"]
