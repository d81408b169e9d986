"""The change feed under a real `gunicorn -w 4` on PostgreSQL: writers on every worker at once and a follower
polling all along; the follower ends with exactly the server's rows, and every number is unique."""
from __future__ import annotations

import random
import threading

import pytest
import requests

from tests.conftest import PASSWORD, default_ids
from tests.feed.conftest import Follower, server_keys, without_balance
from tests.integration.conftest import TIMEOUT

pytestmark = pytest.mark.gunicorn

WRITERS = 8
WRITES = 30


def test_a_follower_of_writers_on_every_worker_ends_with_the_servers_rows(gunicorn, make_user, sql):
    server = gunicorn()
    owner = make_user()
    login = server.post("/api/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    ids = default_ids(sql, owner)
    food = ids["categories"]["Food"]
    done = threading.Event()
    errors: list[BaseException] = []
    follower = Follower()
    polls = [0]
    session = requests.Session()

    def get(url: str):
        response = session.get(server.base_url + url, headers=headers, timeout=TIMEOUT)
        return response.status_code, response.json()

    def write(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[int] = []
        try:
            for _ in range(WRITES):
                if mine and rng.random() < 0.3:
                    entry_id = mine.pop(rng.randrange(len(mine)))
                    response = requests.delete(f"{server.base_url}/api/v1/entries/{entry_id}", headers=headers,
                                               timeout=TIMEOUT)
                    assert response.status_code == 204, response.text
                elif mine and rng.random() < 0.3:
                    response = requests.patch(f"{server.base_url}/api/v1/entries/{rng.choice(mine)}",
                                              json={"memo": f"m{rng.randint(0, 99)}"}, headers=headers,
                                              timeout=TIMEOUT)
                    assert response.status_code == 200, response.text
                else:
                    response = requests.post(f"{server.base_url}/api/v1/entries", headers=headers, timeout=TIMEOUT,
                                             json={"type": "expense", "amount": rng.randint(1, 999),
                                                   "occurred_on": "2026-11-20", "account_id": ids["cash"],
                                                   "category_id": food})
                    assert response.status_code == 201, response.text
                    mine.append(response.json()["id"])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    def follow() -> None:
        try:
            while not done.is_set():
                polls[0] += follower.poll(get, limit=4)  # pages read
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    reader = threading.Thread(target=follow)
    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(WRITERS)]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    reader.join(timeout=60)

    assert not errors, errors
    assert polls[0] > 5, "the follower did not poll while the writers wrote"
    follower.poll(get)
    assert set(follower.rows) == server_keys(sql, owner.ledger_id)
    fresh = Follower()
    fresh.poll(get, limit=1000)
    assert without_balance(follower.rows) == without_balance(fresh.rows)
    seqs = [row[0] for row in sql.rows("SELECT change_seq FROM entries WHERE ledger_id = :l "
                                       "UNION ALL SELECT change_seq FROM change_tombstones WHERE ledger_id = :l",
                                       l=owner.ledger_id)]
    assert len(seqs) == len(set(seqs))
