"""Ledgers, members and invites: shared by the API and the `flask ledgers` commands.

Every change of a user's memberships (joined, role, removed, the ledger's settings or deletion, the default
ledger) increments that user's `membership_version` in the same transaction and is written through to the
Redis auth state after the commit (`publish_memberships`), so that the very next request of that user, on
any worker and host, sees it.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, select, update

from ledger import money
from ledger.auth.models import User
from ledger.auth.state import auth_state
from ledger.database import NAME_MAX_LENGTH, rowcount, utcnow
from ledger.entries.services import forget_author
from ledger.errors import ApiError, Conflict, Gone, NotFound, ValidationFailed
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope
from ledger.ledgers.models import ROLES, Ledger, LedgerInvite, LedgerMember
from ledger.provisioning import provision_ledger

if TYPE_CHECKING:
    from ledger.auth.check import AuthUser

events = logging.getLogger("ledger.ledgers")

INVITE_TTL = timedelta(days=7)
# A household is a handful of people; the limit keeps one owner from filling the table with links.
MAX_OPEN_INVITES = 20


class LastOwner(ApiError):
    status, code, detail = 409, "last_owner", "A ledger needs at least one owner."


class AlreadyMember(ApiError):
    status, code, detail = 409, "already_member", "You are already a member of this ledger."


class InviteNotFound(ApiError):
    status, code, detail = 404, "invite_not_found", "No such invitation."


class InviteExpired(Gone):
    code, detail = "invite_expired", "The invitation has expired."


class InviteUsed(Gone):
    code, detail = "invite_used", "The invitation has already been used."


class InviteRevoked(Gone):
    code, detail = "invite_revoked", "The invitation was revoked."


@dataclass(frozen=True)
class LedgerView:
    id: int
    name: str
    currency: str
    month_start_day: int
    role: str
    member_count: int
    created_at: datetime
    timezone: str


@dataclass(frozen=True)
class MemberView:
    user_id: int
    email: str
    display_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class InviteView:
    id: int
    role: str
    created_at: datetime
    expires_at: datetime
    created_by: int | None
    token: str | None = None  # only in the answer that created it: it is stored as a hash


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_locale() -> str:
    """Korean when the client's most preferred language is Korean (`ko`, `ko-KR`, ...), else English."""
    if not has_request_context():
        return "en"
    preferred = next(iter(request.accept_languages.values()), "")  # werkzeug sorts them by quality
    return "ko" if preferred.lower().split("-")[0] == "ko" else "en"


def personal_ledger_name(display_name: str, locale: str) -> str:
    name = f"{display_name}의 가계부" if locale == "ko" else f"{display_name}'s ledger"
    return name[:NAME_MAX_LENGTH]


# --- membership versions ---------------------------------------------------------------------------------------
def _bump(user_ids: list[int]) -> None:
    """In the writing transaction: these users' memberships changed."""
    if user_ids:
        db.session.execute(update(User).where(User.id.in_(user_ids))
                           .values(membership_version=User.membership_version + 1))


def publish_memberships(user_ids: list[int]) -> None:
    """After the commit: write the users' new membership_version through to the Redis copy."""
    state = auth_state()
    if state is None or not user_ids:
        return
    users = db.session.execute(select(User).where(User.id.in_(user_ids))
                               .execution_options(populate_existing=True)).scalars()
    for user in users:
        state.user_changed(user)


def _member_ids(ledger_id: int) -> list[int]:
    return list(db.session.execute(select(LedgerMember.user_id).where(LedgerMember.ledger_id == ledger_id))
                .scalars())


# --- ledgers -----------------------------------------------------------------------------------------------------
def check_currency(currency: str) -> str:
    currency = currency.upper()
    if not money.is_known(currency):
        raise ValidationFailed(errors={"currency": [f"Unknown ISO 4217 currency {currency}."]})
    return currency


def _new_ledger(user_id: int, name: str, currency: str, month_start_day: int, locale: str) -> Ledger:
    """A ledger with its default account and categories, the user as its owner (inside the caller's
    transaction)."""
    now = utcnow()
    ledger = Ledger(name=name, currency=currency, month_start_day=month_start_day, created_at=now, updated_at=now)
    db.session.add(ledger)
    db.session.flush()
    db.session.add(LedgerMember(ledger_id=ledger.id, user_id=user_id, role="owner", joined_at=now))
    provision_ledger(ledger.id, locale)
    _bump([user_id])
    return ledger


def create_personal_ledger(user: User, currency: str, locale: str) -> Ledger:
    """A new user's first ledger, their default (inside the transaction that creates the user)."""
    ledger = _new_ledger(user.id, personal_ledger_name(user.display_name, locale), currency, 1, locale)
    user.default_ledger_id = ledger.id
    return ledger


def create_ledger(user_id: int, name: str, currency: str | None, month_start_day: int,
                  locale: str | None = None) -> LedgerView:
    currency = check_currency(currency or current_app.config["DEFAULT_CURRENCY"])
    ledger = _new_ledger(user_id, name, currency, month_start_day, locale or request_locale())
    db.session.commit()
    publish_memberships([user_id])
    events.info("ledger created", extra={"event": "ledger_created", "user_id": user_id, "ledger_id": ledger.id})
    return LedgerView(ledger.id, ledger.name, ledger.currency, ledger.month_start_day, "owner", 1,
                      ledger.created_at, ledger.timezone)


def _views(user_id: int, ledger_id: int | None = None) -> list[LedgerView]:
    counts = select(LedgerMember.ledger_id, func.count().label("n")).group_by(LedgerMember.ledger_id).subquery()
    stmt = select(Ledger, LedgerMember.role, counts.c.n) \
        .join(LedgerMember, LedgerMember.ledger_id == Ledger.id) \
        .join(counts, counts.c.ledger_id == Ledger.id) \
        .where(LedgerMember.user_id == user_id).order_by(Ledger.id)
    if ledger_id is not None:
        stmt = stmt.where(Ledger.id == ledger_id)
    return [LedgerView(ledger.id, ledger.name, ledger.currency, ledger.month_start_day, role, int(n),
                       ledger.created_at, ledger.timezone) for ledger, role, n in db.session.execute(stmt)]


def list_ledgers(user_id: int) -> list[LedgerView]:
    """Every ledger the user is a member of, with their role, by id."""
    return _views(user_id)


def get_ledger(scope: LedgerScope) -> LedgerView:
    found = _views(scope.user_id, scope.id)
    if not found:  # the membership ended between the auth check and now
        raise NotFound("No such ledger.")
    return found[0]


def update_ledger(scope: LedgerScope, changes: Mapping[str, Any]) -> LedgerView:
    """Rename the ledger or change its payday month (owner). The currency is fixed: amounts are stored in its
    minor units."""
    ledger = db.session.get(Ledger, scope.id)
    if ledger is None:
        raise NotFound("No such ledger.")
    for field in ("name", "month_start_day", "timezone"):
        if field in changes:
            setattr(ledger, field, changes[field])
    members = _member_ids(scope.id)
    _bump(members)  # the auth check carries the ledger's name and month_start_day
    db.session.commit()
    publish_memberships(members)
    return get_ledger(scope)


def _fallback_default(user_ids: list[int]) -> None:
    """Users whose default ledger is gone (deleted, or they left it) get another of theirs, or a new one."""
    orphans = db.session.execute(select(User).where(User.id.in_(user_ids), User.default_ledger_id.is_(None))
                                 .execution_options(populate_existing=True)).scalars().all()
    for user in orphans:
        other = db.session.execute(select(func.min(LedgerMember.ledger_id))
                                   .where(LedgerMember.user_id == user.id)).scalar()
        if other is None:
            locale = request_locale()
            other = _new_ledger(user.id, personal_ledger_name(user.display_name, locale),
                                current_app.config["DEFAULT_CURRENCY"], 1, locale).id
        user.default_ledger_id = other


def delete_ledger(scope: LedgerScope, confirm_name: str) -> None:
    """Delete the ledger and all its data (owner; its name typed back). Members whose default it was get
    another ledger of theirs as default, or a new personal one."""
    ledger = db.session.get(Ledger, scope.id)
    if ledger is None:
        raise NotFound("No such ledger.")
    if confirm_name != ledger.name:
        raise ValidationFailed(errors={"name": ["Type the ledger's name exactly to delete it."]})
    members = _member_ids(scope.id)
    db.session.execute(delete(Ledger).where(Ledger.id == scope.id))  # members, data, invites: ON DELETE CASCADE
    db.session.flush()
    db.session.execute(update(User).where(User.default_ledger_id == scope.id).values(default_ledger_id=None))
    _fallback_default(members)
    _bump(members)
    db.session.commit()
    publish_memberships(members)
    events.info("ledger deleted", extra={"event": "ledger_deleted", "user_id": scope.user_id,
                                         "ledger_id": scope.id})


def _not_a_member_for_default() -> ValidationFailed:
    return ValidationFailed(errors={"default_ledger_id": ["You are not a member of that ledger."]})


def set_default_ledger(user_id: int, ledger_id: int) -> None:
    """The ledger of the unscoped paths; the user must be a member (else 422: never a hint that it exists)."""
    member = db.session.get(LedgerMember, (ledger_id, user_id))
    if member is None:
        raise _not_a_member_for_default()
    db.session.execute(update(User).where(User.id == user_id).values(default_ledger_id=ledger_id))
    _bump([user_id])


def future_default_scope(user_id: int, ledger_id: int) -> LedgerScope:
    """The user's membership of the ledger PATCH /me is about to make their default (the auth check read the
    current default), so that a month_start_day in the same request is checked against and applied to it;
    422 on default_ledger_id when not a member, as set_default_ledger."""
    row = db.session.execute(select(Ledger, LedgerMember.role).join(LedgerMember, LedgerMember.ledger_id == Ledger.id)
                             .where(Ledger.id == ledger_id, LedgerMember.user_id == user_id)).first()
    if row is None:
        raise _not_a_member_for_default()
    ledger, role = row
    return LedgerScope(ledger.id, ledger.name, ledger.currency, ledger.month_start_day, role, user_id)


# --- members -----------------------------------------------------------------------------------------------------
def list_members(ledger_id: int, user_id: int | None = None) -> list[MemberView]:
    """The ledger's members (or the one member `user_id`), the longest-standing first."""
    stmt = select(LedgerMember, User.email, User.display_name).join(User, User.id == LedgerMember.user_id) \
        .where(LedgerMember.ledger_id == ledger_id).order_by(LedgerMember.joined_at, LedgerMember.user_id)
    if user_id is not None:
        stmt = stmt.where(LedgerMember.user_id == user_id)
    return [MemberView(m.user_id, email, name, m.role, m.joined_at) for m, email, name in db.session.execute(stmt)]


def _lock_members(ledger_id: int) -> None:
    """The first statement of a change of the ledger's members: a write to the ledger's row. PostgreSQL locks
    that row until the commit, and SQLite takes its one write lock (its reads before a write are outside any
    transaction), so the member changes of one ledger run one after the other and each sees the one before:
    two owners demoting each other, or leaving, at once cannot both succeed, and cannot deadlock."""
    db.session.execute(update(Ledger).where(Ledger.id == ledger_id).values(updated_at=utcnow()))


def _member(ledger_id: int, user_id: int) -> LedgerMember:
    member = db.session.execute(select(LedgerMember).where(LedgerMember.ledger_id == ledger_id,
                                                           LedgerMember.user_id == user_id)).scalar_one_or_none()
    if member is None:
        raise NotFound("No such member.")
    return member


def _check_other_owner(ledger_id: int, user_id: int) -> None:
    """409 last_owner unless someone else owns the ledger too (after _lock_members)."""
    others = db.session.execute(select(func.count()).select_from(LedgerMember).where(
        LedgerMember.ledger_id == ledger_id, LedgerMember.role == "owner", LedgerMember.user_id != user_id)).scalar()
    if not others:
        raise LastOwner()


def update_member(scope: LedgerScope, user_id: int, role: str) -> MemberView:
    """Change a member's role (owner); the last owner cannot be demoted."""
    _lock_members(scope.id)
    member = _member(scope.id, user_id)
    if member.role == "owner" and role != "owner":
        _check_other_owner(scope.id, user_id)
    member.role = role
    _bump([user_id])
    db.session.commit()
    publish_memberships([user_id])
    events.info("member role changed", extra={"event": "member_role_changed", "user_id": scope.user_id,
                                              "ledger_id": scope.id, "member_id": user_id, "role": role})
    return list_members(scope.id, user_id)[0]


def remove_member(scope: LedgerScope, user_id: int) -> None:
    """Remove a member (owner), or leave (any member, their own id); the last owner can do neither."""
    remove_member_from(scope.id, user_id, by=scope.user_id)


def remove_member_from(ledger_id: int, user_id: int, by: int | None = None) -> None:
    """Remove a member from a ledger (the API's check of who may, done; `by` None = an admin's command); the
    last owner cannot be removed. A member whose default it was gets another ledger, or a new personal one."""
    _lock_members(ledger_id)
    member = _member(ledger_id, user_id)
    if member.role == "owner":
        _check_other_owner(ledger_id, user_id)
    db.session.delete(member)
    db.session.flush()
    db.session.execute(update(User).where(User.id == user_id, User.default_ledger_id == ledger_id)
                       .values(default_ledger_id=None))
    _fallback_default([user_id])
    _bump([user_id])
    db.session.commit()
    publish_memberships([user_id])
    events.info("member removed", extra={"event": "member_removed", "user_id": by,
                                         "ledger_id": ledger_id, "member_id": user_id})


def add_member(ledger_id: int, user_id: int, role: str) -> None:
    """Admin (`flask ledgers add-member`): add a member directly, without an invitation (a member already:
    409 already_member; roles change through the API)."""
    if db.session.get(Ledger, ledger_id) is None:
        raise NotFound(f"No ledger {ledger_id}.")
    member = db.session.get(LedgerMember, (ledger_id, user_id))
    if member is not None:
        raise AlreadyMember("That user is already a member of the ledger.")
    db.session.add(LedgerMember(ledger_id=ledger_id, user_id=user_id, role=role, joined_at=utcnow()))
    _bump([user_id])
    db.session.commit()
    publish_memberships([user_id])


def before_user_deleted(user_id: int) -> list[int]:
    """Inside the transaction that deletes a user: their ledgers without another member are deleted with them;
    a shared ledger they alone owned passes to its longest-standing member. Returns the users whose memberships
    changed (publish_memberships after the commit)."""
    promoted: list[int] = []
    ledger_ids = db.session.execute(select(LedgerMember.ledger_id).where(LedgerMember.user_id == user_id)
                                    .order_by(LedgerMember.ledger_id)).scalars()
    for ledger_id in list(ledger_ids):
        _lock_members(ledger_id)  # two owners leaving at once: the second sees the first gone
        others = db.session.execute(
            select(LedgerMember).where(LedgerMember.ledger_id == ledger_id, LedgerMember.user_id != user_id)
            .order_by(LedgerMember.joined_at, LedgerMember.user_id)).scalars().all()
        if not others:
            db.session.execute(delete(Ledger).where(Ledger.id == ledger_id))
        elif not any(m.role == "owner" for m in others):
            others[0].role = "owner"
            promoted.append(others[0].user_id)
    forget_author(user_id)  # the ledgers that stay: their entries by the user change (ledger.feed)
    _bump(promoted)
    return promoted


# --- invites -----------------------------------------------------------------------------------------------------
def create_invite(scope: LedgerScope, role: str) -> InviteView:
    """A one-time link token (owner): only its hash is stored; it expires in 7 days."""
    if role not in ROLES:
        raise ValidationFailed(errors={"role": [f"Must be one of: {', '.join(ROLES)}."]})
    now = utcnow()
    open_count = db.session.execute(select(func.count()).select_from(LedgerInvite).where(
        LedgerInvite.ledger_id == scope.id, LedgerInvite.used_at.is_(None), LedgerInvite.revoked_at.is_(None),
        LedgerInvite.expires_at > now)).scalar_one()
    if open_count >= MAX_OPEN_INVITES:
        raise Conflict(f"The ledger already has {MAX_OPEN_INVITES} open invitations; revoke some first.")
    token = secrets.token_urlsafe(32)
    invite = LedgerInvite(ledger_id=scope.id, token_hash=_hash(token), role=role, created_by=scope.user_id,
                          created_at=now, expires_at=now + INVITE_TTL)
    db.session.add(invite)
    db.session.commit()
    events.info("invite created", extra={"event": "invite_created", "user_id": scope.user_id,
                                         "ledger_id": scope.id, "invite_id": invite.id})
    return InviteView(invite.id, role, invite.created_at, invite.expires_at, invite.created_by, token)


def list_invites(scope: LedgerScope) -> list[InviteView]:
    """The ledger's open invitations (not used, revoked or expired)."""
    rows = db.session.execute(select(LedgerInvite).where(
        LedgerInvite.ledger_id == scope.id, LedgerInvite.used_at.is_(None), LedgerInvite.revoked_at.is_(None),
        LedgerInvite.expires_at > utcnow()).order_by(LedgerInvite.id)).scalars()
    return [InviteView(i.id, i.role, i.created_at, i.expires_at, i.created_by) for i in rows]


def revoke_invite(scope: LedgerScope, invite_id: int) -> None:
    done = rowcount(db.session.execute(update(LedgerInvite).where(
        LedgerInvite.id == invite_id, LedgerInvite.ledger_id == scope.id, LedgerInvite.used_at.is_(None),
        LedgerInvite.revoked_at.is_(None)).values(revoked_at=utcnow())))
    if not done:
        raise NotFound("No such open invitation.")
    db.session.commit()


def _find_invite(token: str) -> LedgerInvite:
    invite = db.session.execute(select(LedgerInvite).where(LedgerInvite.token_hash == _hash(token))) \
        .scalar_one_or_none()
    if invite is None:
        raise InviteNotFound()
    if invite.revoked_at is not None:
        raise InviteRevoked()
    if invite.used_at is not None:
        raise InviteUsed()
    if invite.expires_at <= utcnow():
        raise InviteExpired()
    return invite


def invite_info(token: str) -> dict[str, Any]:
    """What the invite page shows before sign-in: the ledger's name, who invited, the role."""
    invite = _find_invite(token)
    ledger = db.session.get(Ledger, invite.ledger_id)
    inviter = db.session.get(User, invite.created_by) if invite.created_by is not None else None
    return {"ledger_name": ledger.name if ledger else "", "role": invite.role, "expires_at": invite.expires_at,
            "inviter": inviter.display_name if inviter else None}


def accept_invite(token: str, user_id: int) -> LedgerView:
    """Join the invitation's ledger with its role; single use, even when two accept at once."""
    invite = _find_invite(token)
    if db.session.get(LedgerMember, (invite.ledger_id, user_id)) is not None:
        raise AlreadyMember()
    now = utcnow()
    won = rowcount(db.session.execute(update(LedgerInvite).where(
        LedgerInvite.id == invite.id, LedgerInvite.used_at.is_(None), LedgerInvite.revoked_at.is_(None),
        LedgerInvite.expires_at > now).values(used_at=now, used_by=user_id)))
    if not won:
        db.session.rollback()
        raise InviteUsed()
    db.session.add(LedgerMember(ledger_id=invite.ledger_id, user_id=user_id, role=invite.role, joined_at=now))
    _bump([user_id])
    db.session.commit()  # a racing second acceptance by the same user fails on the primary key → 409
    publish_memberships([user_id])
    events.info("invite accepted", extra={"event": "invite_accepted", "user_id": user_id,
                                          "ledger_id": invite.ledger_id, "invite_id": invite.id})
    return _views(user_id, invite.ledger_id)[0]


# --- the profile of /me ------------------------------------------------------------------------------------------
def _profile(user_id: int, email: str, display_name: str, created_at: datetime, default_ledger_id: int | None,
             currency: str | None, month_start_day: int | None) -> dict[str, Any]:
    """/me: the user, with the currency and payday month of their default ledger (what the unscoped paths use)."""
    return {"id": user_id, "email": email, "display_name": display_name, "created_at": created_at,
            "default_ledger_id": default_ledger_id,
            "currency": currency or current_app.config["DEFAULT_CURRENCY"], "month_start_day": month_start_day or 1}


def user_profile(user: User) -> dict[str, Any]:
    ledger = db.session.get(Ledger, user.default_ledger_id) if user.default_ledger_id is not None else None
    return _profile(user.id, user.email, user.display_name, user.created_at, user.default_ledger_id,
                    ledger.currency if ledger else None, ledger.month_start_day if ledger else None)


def profile_of_caller(user: AuthUser, ledger: LedgerScope | None) -> dict[str, Any]:
    """The profile from what the auth check read (on /me, the request's ledger is the default one): no query."""
    return _profile(user.id, user.email, user.display_name, user.created_at, user.default_ledger_id,
                    ledger.currency if ledger else None, ledger.month_start_day if ledger else None)
