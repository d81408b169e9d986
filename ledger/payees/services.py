"""Payees: every query is scoped by ledger_id in SQL; another ledger's payee behaves exactly like a missing one.

Names are unique per ledger case-insensitively (`name_key`). The autocomplete pre-filters in SQL on the stored
folded name or initials (ledger.payees.hangul) and ranks by the entries of the last 90 days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger.categories.models import Category
from ledger.clock import household_today
from ledger.database import is_id
from ledger.entries.models import Entry
from ledger.errors import Conflict, NotFound, ValidationFailed
from ledger.extensions import db
from ledger.payees import hangul
from ledger.payees.models import Payee, PayeeCategoryUse, SuggestionDecline

NO_SUCH_PAYEE = "No such payee."
RANK_DAYS = 90
# After this many entries of one payee got one category by hand, "always put it there?" is offered.
SUGGEST_AFTER = 3
_KIND_ORDER = {"prefix": 0, "substring": 1, "initials": 2}
_KINDS = {order: kind for kind, order in _KIND_ORDER.items()}


@dataclass
class PayeeHit:
    """A payee as the API shows it: with its entries of the last 90 days (and, from a search, how it matched)."""

    id: int
    name: str
    archived: bool
    created_at: datetime
    uses_90d: int
    match: str | None = None


def _uses():
    """The payee's entries since 90 days before the household's today: a correlated count that the index
    ix_entries_payee_id_occurred_on answers alone, per payee listed."""
    since = household_today() - timedelta(days=RANK_DAYS)
    return (select(func.count()).select_from(Entry)
            .where(Entry.payee_id == Payee.id, Entry.occurred_on >= since)
            .correlate(Payee).scalar_subquery())


def _hit(row: Any, match: str | None = None) -> PayeeHit:
    return PayeeHit(row.id, row.name, row.archived, row.created_at, row.uses, match)


def hit(payee: Payee) -> PayeeHit:
    """One payee with its 90-day count (one statement)."""
    uses = db.session.execute(select(_uses()).where(Payee.id == payee.id)).scalar_one()
    return PayeeHit(payee.id, payee.name, payee.archived, payee.created_at, uses)


def list_payees(ledger_id: int, query: str | None = None, include_archived: bool = True,
                limit: int | None = None) -> list[PayeeHit]:
    """All the ledger's payees by name; with `query`, the matches ranked by uses in the last 90 days, then by
    how they matched (prefix, substring, initials), then by name, at most `limit`.

    Without a Hangul syllable in the query, SQL decides everything (hangul's rules hold for LIKE on the stored
    `name_key` and `initials`: a character matches itself, a jamo its syllables) and returns `limit` rows. With
    syllables, SQL narrows the candidates (the initials in order, each syllable present) and
    hangul.match_kind decides.
    """
    uses = _uses().label("uses")
    columns = (Payee.id, Payee.name, Payee.archived, Payee.created_at, uses)
    scope = [Payee.ledger_id == ledger_id] + ([] if include_archived else [Payee.archived.is_(False)])
    if not query:
        rows = db.session.execute(select(*columns).where(*scope).order_by(Payee.name_key, Payee.id)).all()
        return [_hit(row) for row in rows]
    folded = hangul.fold(query)
    if not hangul.has_hangul(folded):  # Latin, digits: runs of the folded name only
        prefix, contiguous = (Payee.name_key.startswith(folded, autoescape=True),
                              Payee.name_key.contains(folded, autoescape=True))
        anywhere = contiguous
    elif not hangul.has_choseong(folded):  # syllables match only themselves: the name in order, with gaps
        prefix, contiguous = (Payee.name_key.startswith(folded, autoescape=True),
                              Payee.name_key.contains(folded, autoescape=True))
        anywhere = Payee.name_key.like(hangul.like_pattern(folded, initials_of=False), escape="/")
    else:
        code = hangul.initials(folded)
        prefix, contiguous = (Payee.initials.startswith(code, autoescape=True),
                              Payee.initials.contains(code, autoescape=True))
        anywhere = Payee.initials.like(hangul.like_pattern(folded), escape="/")
    kind = case((prefix, 0), (contiguous, 1), else_=2).label("kind")
    stmt = select(*columns, kind).where(*scope, anywhere)
    # Exact in SQL unless jamo and syllables are mixed (스ㅂ): then SQL narrows and match_kind decides.
    if not (hangul.has_choseong(folded) and any(hangul.is_syllable(char) for char in folded)):
        rows = db.session.execute(stmt.order_by(uses.desc(), kind, Payee.name_key, Payee.id).limit(limit)).all()
        return [_hit(row, _KINDS[row.kind]) for row in rows]
    for syllable in {char for char in folded if hangul.is_syllable(char)}:
        stmt = stmt.where(Payee.name_key.contains(syllable))
    hits = []
    for row in db.session.execute(stmt).all():
        found = hangul.match_kind(folded, row.name)
        if found is not None:
            hits.append(_hit(row, found))
    hits.sort(key=lambda h: (-h.uses_90d, _KIND_ORDER[h.match or "initials"], hangul.fold(h.name), h.id))
    return hits[:limit] if limit is not None else hits


def _find(ledger_id: int, payee_id: int) -> Payee | None:
    if not is_id(payee_id):
        return None
    return db.session.execute(
        select(Payee).where(Payee.ledger_id == ledger_id, Payee.id == payee_id)).scalar_one_or_none()


def get_payee(ledger_id: int, payee_id: int) -> Payee:
    payee = _find(ledger_id, payee_id)
    if payee is None:
        raise NotFound(NO_SUCH_PAYEE)
    return payee


def payee_names(ledger_id: int, payee_ids: set[int]) -> dict[int, str]:
    """id → name of the ledger's payees among `payee_ids` (one statement; none for an empty set)."""
    if not payee_ids:
        return {}
    return dict(db.session.execute(
        select(Payee.id, Payee.name).where(Payee.ledger_id == ledger_id, Payee.id.in_(payee_ids))).all())


def _by_name(ledger_id: int, name: str) -> Payee | None:
    return db.session.execute(
        select(Payee).where(Payee.ledger_id == ledger_id, Payee.name_key == hangul.fold(name))).scalar_one_or_none()


def _check_name_free(ledger_id: int, name: str, except_id: int | None = None) -> None:
    found = _by_name(ledger_id, name)
    if found is not None and found.id != except_id:
        raise Conflict(f"A payee named {found.name!r} already exists (names are compared ignoring case).")


def _new(ledger_id: int, name: str) -> Payee:
    return Payee(ledger_id=ledger_id, name=name, name_key=hangul.fold(name), initials=hangul.initials(name),
                 archived=False)


def create_payee(ledger_id: int, name: str) -> Payee:
    _check_name_free(ledger_id, name)
    payee = _new(ledger_id, name)
    db.session.add(payee)
    db.session.flush()  # a racing duplicate fails here: IntegrityError → 409
    db.session.commit()
    return payee


def find_or_create(ledger_id: int, name: str, field: str = "payee") -> int:
    """The id of the ledger's payee called `name` (ignoring case), created if there is none, in the caller's
    transaction (flushed, not committed). An archived one is a 422 on `field`, like an archived account."""
    payee = _by_name(ledger_id, name)
    if payee is None:
        payee = _new(ledger_id, name)
        try:
            with db.session.begin_nested():
                db.session.add(payee)
        except IntegrityError:  # created meanwhile by another request: take that one
            payee = _by_name(ledger_id, name)
            if payee is None:
                raise
    if payee.archived:
        raise ValidationFailed(errors={field: ["The payee is archived."]})
    return payee.id


def check_payee_id(ledger_id: int, payee_id: int, field: str = "payee_id", archived_ok: bool = False) -> None:
    """ValidationFailed on `field` unless `payee_id` is one of the ledger's payees (unarchived, unless
    `archived_ok`): another ledger's is "No such payee."."""
    payee = _find(ledger_id, payee_id)
    if payee is None:
        raise ValidationFailed(errors={field: [NO_SUCH_PAYEE]})
    if payee.archived and not archived_ok:
        raise ValidationFailed(errors={field: ["The payee is archived."]})


def update_payee(ledger_id: int, payee_id: int, changes: dict[str, Any]) -> Payee:
    """Rename and/or (un)archive; a rename to a name taken (ignoring case) by another payee is 409."""
    payee = get_payee(ledger_id, payee_id)
    name = changes.get("name")
    if name is not None and name != payee.name:
        _check_name_free(ledger_id, name, except_id=payee.id)
        payee.name, payee.name_key, payee.initials = name, hangul.fold(name), hangul.initials(name)
    if "archived" in changes:
        payee.archived = changes["archived"]
    db.session.commit()
    return payee


def merge_payees(ledger_id: int, source_id: int, target_id: int) -> tuple[Payee, int]:
    """Move every entry of `source_id` to `target_id` (through the entries service: one UPDATE, ETags move on),
    point the rules that set the source at the target, keep the source's learning (counts added, declines
    kept), and delete the source. Returns the target and how many entries moved."""
    from ledger.entries.services import reassign_payee
    from ledger.rules.services import replace_payee

    source = get_payee(ledger_id, source_id)
    target = _find(ledger_id, target_id)
    if target is None:
        raise ValidationFailed(errors={"into": [NO_SUCH_PAYEE]})
    if target.id == source.id:
        raise ValidationFailed(errors={"into": ["A payee cannot be merged into itself."]})
    moved = reassign_payee(ledger_id, source.id, target.id)
    replace_payee(ledger_id, source.id, target.id)
    _merge_learning(ledger_id, source.id, target.id)
    db.session.execute(delete(Payee).where(Payee.ledger_id == ledger_id, Payee.id == source.id))
    db.session.commit()
    return target, moved


def _merge_learning(ledger_id: int, source_id: int, target_id: int) -> None:
    counts = db.session.execute(select(PayeeCategoryUse.category_id, PayeeCategoryUse.count).where(
        PayeeCategoryUse.ledger_id == ledger_id, PayeeCategoryUse.payee_id == source_id)).all()
    for category_id, count in counts:
        _add_use(ledger_id, target_id, category_id, count)
    declined = set(db.session.execute(select(SuggestionDecline.category_id).where(
        SuggestionDecline.ledger_id == ledger_id, SuggestionDecline.payee_id == source_id)).scalars())
    declined -= set(db.session.execute(select(SuggestionDecline.category_id).where(
        SuggestionDecline.ledger_id == ledger_id, SuggestionDecline.payee_id == target_id)).scalars())
    if declined:
        db.session.execute(insert(SuggestionDecline), [
            {"ledger_id": ledger_id, "payee_id": target_id, "category_id": c} for c in sorted(declined)])


def _add_use(ledger_id: int, payee_id: int, category_id: int, count: int = 1) -> None:
    where = (PayeeCategoryUse.payee_id == payee_id, PayeeCategoryUse.category_id == category_id)
    result = db.session.execute(update(PayeeCategoryUse).where(*where).values(count=PayeeCategoryUse.count + count))
    if getattr(result, "rowcount", 0):
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(PayeeCategoryUse).values(
                ledger_id=ledger_id, payee_id=payee_id, category_id=category_id, count=count))
    except IntegrityError:  # inserted meanwhile: count on it
        db.session.execute(update(PayeeCategoryUse).where(*where).values(count=PayeeCategoryUse.count + count))


def record_hand_category(ledger_id: int, payee_id: int, category_id: int) -> None:
    """An entry of this payee got this category by hand (the learning's evidence); the caller commits."""
    _add_use(ledger_id, payee_id, category_id)


@dataclass
class Suggestion:
    payee_id: int
    payee_name: str
    category_id: int
    category_name: str
    count: int


def suggestion(ledger_id: int, payee_id: int) -> Suggestion | None:
    """"Always put this payee in that category?": the category the payee got by hand most often, at least
    SUGGEST_AFTER times, unless declined before or a rule already sets it for this payee; else None."""
    from ledger.rules.services import rule_sets_category_for

    payee = get_payee(ledger_id, payee_id)
    declined = select(SuggestionDecline.category_id).where(SuggestionDecline.ledger_id == ledger_id,
                                                           SuggestionDecline.payee_id == payee.id)
    rows = db.session.execute(
        select(PayeeCategoryUse.category_id, PayeeCategoryUse.count, Category.name)
        .join(Category, Category.id == PayeeCategoryUse.category_id)
        .where(PayeeCategoryUse.ledger_id == ledger_id, PayeeCategoryUse.payee_id == payee.id,
               PayeeCategoryUse.count >= SUGGEST_AFTER, Category.archived.is_(False),
               PayeeCategoryUse.category_id.not_in(declined))
        .order_by(PayeeCategoryUse.count.desc(), PayeeCategoryUse.category_id)).all()
    for category_id, count, category_name in rows:
        if not rule_sets_category_for(ledger_id, payee, category_id):
            return Suggestion(payee.id, payee.name, category_id, category_name, count)
    return None


def decline_suggestion(ledger_id: int, payee_id: int, category_id: int) -> None:
    """Remember "no" for this payee and category (idempotent): never offered again."""
    payee = get_payee(ledger_id, payee_id)
    category = db.session.execute(select(Category.id).where(Category.ledger_id == ledger_id,
                                                            Category.id == category_id)).first()
    if category is None:
        raise ValidationFailed(errors={"category_id": ["No such category."]})
    exists = db.session.execute(select(SuggestionDecline.payee_id).where(
        SuggestionDecline.payee_id == payee.id, SuggestionDecline.category_id == category_id)).first()
    if exists is None:
        db.session.add(SuggestionDecline(ledger_id=ledger_id, payee_id=payee.id, category_id=category_id))
    db.session.commit()
