"""Idempotency-Key: a retried POST gets the first response back instead of a duplicate.

The response is stored in `idempotency_keys` in the same transaction as what it created, keyed
by (ledger_id, user_id, key) (two members of a ledger never collide), with a SHA-256 of the canonical
JSON body. Only successful responses are stored: a request that fails (422, 409, ...) changes
nothing, so a corrected retry with the same key may still succeed. Two concurrent requests with one
key cannot both commit: the unique constraint stops the second, which rolls back and replays the
winner's response.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ledger.database import rowcount, utcnow
from ledger.entries.models import IdempotencyKey
from ledger.errors import ApiError
from ledger.extensions import db
from ledger.ledgers.access import LedgerScope


class IdempotencyKeyReused(ApiError):
    status, code, detail = 422, "idempotency_key_reused", \
        "This Idempotency-Key was already used with a different request body."


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    replayed: bool = False


def request_hash(payload: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no whitespace): key order and spacing do not matter."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _stored(ledger: LedgerScope, key: str) -> IdempotencyKey | None:
    return db.session.execute(
        select(IdempotencyKey).where(IdempotencyKey.ledger_id == ledger.id,
                                     IdempotencyKey.user_id == ledger.user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _replay(row: IdempotencyKey, digest: str) -> StoredResponse:
    if row.request_hash != digest:
        raise IdempotencyKeyReused()
    return StoredResponse(status=row.status_code, body=row.response_body, replayed=True)


def run_once(ledger: LedgerScope, key: str | None, digest: str,
             action: Callable[[], tuple[int, str]]) -> StoredResponse:
    """Run `action` (which adds rows and returns (status, body)) and commit, at most once per key.

    Without a key this is just "run and commit". With a key seen before, the stored response is
    returned (IdempotencyKeyReused if the body differs) and `action` does not run.
    """
    if key is None:
        status, body = action()
        db.session.commit()
        return StoredResponse(status, body)
    row = _stored(ledger, key)
    if row is not None:
        return _replay(row, digest)
    status, body = action()
    db.session.add(IdempotencyKey(ledger_id=ledger.id, user_id=ledger.user_id, key=key, request_hash=digest,
                                  status_code=status, response_body=body))
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same key committed first: ours is undone, theirs is the answer.
        db.session.rollback()
        row = _stored(ledger, key)
        if row is None:
            raise  # some other constraint failed: the usual 409
        return _replay(row, digest)
    return StoredResponse(status, body)


def purge_idempotency_keys(older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> int:
    """Delete stored responses older than `older_than` (their keys may then be reused); returns how many."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    return rowcount(result)
