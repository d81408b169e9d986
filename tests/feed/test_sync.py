"""A client that follows the feed ends with exactly the server's rows: random operations on both databases,
with concurrent writers (threads with their own connections, on SQLite and PostgreSQL), and the numbers
handed out under concurrency are unique and in commit order."""
from __future__ import annotations

import random
import threading

import pytest

from ledger.feed.models import FEED_MODELS
from tests.conftest import default_ids, login_body
from tests.feed.conftest import Follower, assert_in_sync, client_get

MONTHS = ("2026-10", "2026-11", "2026-12")


class Writer:
    """Random API writes to one ledger; every answer must be a success or an expected refusal."""

    def __init__(self, client, headers, ids, rng: random.Random) -> None:
        self.client, self.headers, self.rng = client, headers, rng
        self.accounts = [ids["cash"]]
        self.categories = [cid for name, cid in ids["categories"].items()
                           if name not in {"Salary", "Side income", "Interest", "Other income"}]
        self.entries: list[int] = []

    def _ok(self, response, *allowed: int):
        assert response.status_code in allowed, (response.status_code, response.get_json())
        return response

    def step(self) -> None:
        rng, c, h = self.rng, self.client, self.headers
        op = rng.choice(["entry"] * 5 + ["patch"] * 3 + ["delete"] * 2 + ["account", "category", "budget",
                                                                          "drop_category", "patch_account"])
        if op == "entry" or (op in ("patch", "delete") and not self.entries):
            body = {"type": "expense", "amount": rng.randint(1, 10_000),
                    "occurred_on": f"2026-11-{rng.randint(1, 28):02d}",
                    "account_id": rng.choice(self.accounts), "category_id": rng.choice(self.categories),
                    "tags": rng.sample(["a", "b", "c"], rng.randint(0, 2))}
            response = self._ok(c.post("/api/v1/entries", json=body, headers=h), 201, 409, 422)  # 409: FK race
            if response.status_code == 201:
                self.entries.append(response.get_json()["id"])
        elif op == "patch":
            entry_id = rng.choice(self.entries)
            self._ok(c.patch(f"/api/v1/entries/{entry_id}", json={"memo": f"m{rng.randint(0, 99)}"}, headers=h),
                     200, 404, 412)  # 412: another writer's category reassign moved it meanwhile
        elif op == "delete":
            entry_id = self.entries.pop(rng.randrange(len(self.entries)))
            self._ok(c.delete(f"/api/v1/entries/{entry_id}", headers=h), 204, 404, 412)
        elif op == "account":
            response = self._ok(c.post("/api/v1/accounts", json={"name": f"A{rng.randint(0, 10**9)}", "type": "bank"},
                                       headers=h), 201, 409)
            if response.status_code == 201:
                self.accounts.append(response.get_json()["id"])
        elif op == "patch_account":
            self._ok(c.patch(f"/api/v1/accounts/{rng.choice(self.accounts)}",
                             json={"name": f"A{rng.randint(0, 10**9)}"}, headers=h), 200, 404, 409)
        elif op == "category":
            response = self._ok(c.post("/api/v1/categories", json={"name": f"C{rng.randint(0, 10**9)}",
                                                                     "kind": "expense"}, headers=h), 201, 409)
            if response.status_code == 201:
                self.categories.append(response.get_json()["id"])
        elif op == "budget":
            chosen = rng.sample(self.categories, min(len(self.categories), rng.randint(0, 3)))
            self._ok(c.put(f"/api/v1/budgets/{rng.choice(MONTHS)}", headers=h,
                           json={"items": [{"category_id": cid, "amount": rng.randint(1, 999)} for cid in chosen]}),
                     200, 409, 422)  # 409: the same month PUT at once, or a category deleted meanwhile
        elif op == "drop_category" and len(self.categories) > 2:
            victim = self.categories.pop(rng.randrange(len(self.categories)))
            target = rng.choice(self.categories)
            self._ok(c.delete(f"/api/v1/categories/{victim}?reassign_to={target}", headers=h), 204, 404, 409, 422)


def _assert_numbers_unique(sql, ledger_id: int) -> None:
    """Every live row and tombstone of the ledger has its own number, none beyond the ledger's counter."""
    seqs = []
    for model in FEED_MODELS.values():
        seqs += [row[0] for row in sql.rows(f"SELECT change_seq FROM {model.__tablename__} WHERE ledger_id = :l",
                                            l=ledger_id)]
    seqs += [row[0] for row in sql.rows("SELECT change_seq FROM change_tombstones WHERE ledger_id = :l", l=ledger_id)]
    assert len(seqs) == len(set(seqs)) and all(seq > 0 for seq in seqs)
    assert max(seqs) <= sql.scalar("SELECT change_seq FROM ledgers WHERE id = :l", l=ledger_id)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_follower_of_random_operations_ends_with_the_servers_rows(client, logged_in, user, sql, seed):
    rng = random.Random(seed)
    writer = Writer(client, logged_in.headers, default_ids(sql, user), rng)
    get = client_get(client, logged_in.headers)
    followers = [Follower(), Follower()]  # one pages by 1..7, one by 500

    for step in range(150):
        writer.step()
        if rng.random() < 0.25:
            followers[0].poll(get, limit=rng.randint(1, 7))
        if step % 40 == 0:
            followers[1].poll(get)

    for follower in followers:
        follower.poll(get, limit=rng.randint(1, 7))
        assert_in_sync(follower, sql, user.ledger_id, get)
    _assert_numbers_unique(sql, user.ledger_id)


def test_concurrent_writers_never_let_a_follower_miss_a_change(app, make_user, sql, backend):
    """Four writers, each with its own client (a connection of its own), and a follower that polls all along
    with small pages: seq order is commit order, so the follower never passes a number whose change is
    not yet visible, and ends with exactly the server's rows."""
    owner = make_user()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {login_body(client, owner)['access_token']}"}
    ids = default_ids(sql, owner)
    done = threading.Event()
    errors: list[BaseException] = []
    follower = Follower()
    polls = [0]

    def write(seed: int) -> None:
        try:
            writer = Writer(app.test_client(), headers, ids, random.Random(seed))
            for _ in range(40 if backend == "postgresql" else 25):
                writer.step()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    def follow() -> None:
        try:
            get = client_get(app.test_client(), headers)
            while not done.is_set():
                polls[0] += follower.poll(get, limit=3)  # pages read
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(4)]
    reader = threading.Thread(target=follow)
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    done.set()
    reader.join(timeout=60)

    assert not errors, errors
    assert polls[0] > 5, "the follower did not poll while the writers wrote; the test proves nothing"
    get = client_get(client, headers)
    follower.poll(get)
    assert_in_sync(follower, sql, owner.ledger_id, get)
    _assert_numbers_unique(sql, owner.ledger_id)
