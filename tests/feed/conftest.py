"""Helpers of the change-feed tests: a client that follows the feed, and the server's rows to compare with."""
from __future__ import annotations

from dataclasses import dataclass, field

from ledger.feed.models import FEED_MODELS
from tests.ledgers.conftest import household, join, log_in  # noqa: F401 - the household fixtures

CHANGES = "/api/v1/changes"


@dataclass
class Follower:
    """A client's copy of a ledger, kept up to date from the feed only: (kind, id) → data."""

    rows: dict[tuple[str, int], dict] = field(default_factory=dict)
    since: int = 0
    seen: list[int] = field(default_factory=list)  # every seq received, in order

    def apply(self, body: dict) -> None:
        for change in body["changes"]:
            assert change["seq"] > self.since, (change, self.since)
            assert not self.seen or change["seq"] > self.seen[-1], (change, self.seen[-1])
            self.seen.append(change["seq"])
            key = (change["kind"], change["id"])
            if change["op"] == "delete":
                assert change["data"] is None
                self.rows.pop(key, None)
            else:
                assert change["op"] == "upsert" and change["data"]["id"] == change["id"], change
                self.rows[key] = change["data"]
        assert body["next"] >= self.since
        self.since = body["next"]

    def poll(self, get, path: str = CHANGES, limit: int = 500) -> int:
        """Follow the feed until has_more is false (`get(url)` → (status, body)); returns how many pages."""
        pages = 0
        while True:
            status, body = get(f"{path}?since={self.since}&limit={limit}")
            assert status == 200, body
            self.apply(body)
            pages += 1
            if not body["has_more"]:
                assert body["next"] == body["ledger_seq"]
                return pages


def client_get(client, headers):
    def get(url: str):
        response = client.get(url, headers=headers)
        return response.status_code, response.get_json()

    return get


def server_keys(sql, ledger_id: int) -> set[tuple[str, int]]:
    """(kind, id) of every live row of the ledger's feed tables, read from the database."""
    keys = set()
    for kind, model in FEED_MODELS.items():
        keys |= {(kind, row[0]) for row in sql.rows(f"SELECT id FROM {model.__tablename__} WHERE ledger_id = :l",
                                                   l=ledger_id)}
    return keys


def without_balance(rows: dict) -> dict:
    """An account's balance in the feed is as of the answer that carried it: compare everything else."""
    return {key: {k: v for k, v in data.items() if not (key[0] == "accounts" and k == "balance")}
            for key, data in rows.items()}


def assert_in_sync(follower: Follower, sql, ledger_id: int, get, path: str = CHANGES) -> None:
    """The follower holds exactly the server's rows: the same keys as the database, and the same data as a fresh
    snapshot of the feed (each row as its feature's endpoint answers it)."""
    assert set(follower.rows) == server_keys(sql, ledger_id)
    fresh = Follower()
    fresh.poll(get, path, limit=1000)
    assert without_balance(follower.rows) == without_balance(fresh.rows)
