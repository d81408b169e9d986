"""The second factor's tables. They belong to a user (like sessions), not to a ledger: no ledger_id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import NAME_MAX_LENGTH, UTCDateTime, utcnow
from ledger.extensions import Model


class UserMfa(Model):
    """The user's TOTP factor (pending until confirmed) and the per-account count of wrong codes."""

    __tablename__ = "user_mfa"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Fernet token of the base32 secret (MFA_ENCRYPTION_KEYS); None when TOTP is off.
    totp_secret: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # None while the enrolment waits for its first code.
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last time step (unix time // 30) whose code was accepted: that code and every older one are refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Wrong codes (TOTP or recovery) since `failures_since`, for the per-account limit.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    failures_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(Model):
    """One single-use recovery code, stored as the SHA-256 of its normalised text (80 random bits)."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebauthnCredential(Model):
    """A passkey: a discoverable WebAuthn credential registered with user verification."""

    __tablename__ = "webauthn_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url
    public_key: Mapped[str] = mapped_column(Text)  # base64url of the COSE key
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    transports: Mapped[str] = mapped_column(String(255), default="", server_default=text("''"))
    backup_eligible: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    backup_state: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuthChallenge(Model):
    """A short-lived, single-use challenge kept server side: the second step of a login (`login`), a passkey
    sign-in (`passkey_login`), a passkey registration (`passkey_register`) or a passkey step-up (`step_up`).
    Only the SHA-256 of the token handed to the client is stored."""

    __tablename__ = "auth_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # None for a passkey sign-in, whose user is known only from the credential.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True,
                                                index=True)
    # The session that asked (registration, step-up): another session cannot use it.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True)
    # The user's token_version when the password was checked: a logout or an mfa-reset voids the challenge.
    token_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    webauthn_challenge: Mapped[str | None] = mapped_column(String(128), nullable=True)  # base64url
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
