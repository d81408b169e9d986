"""Idempotency-Key on POST /entries: a retry replays the first response; nothing is created twice."""
from __future__ import annotations

import hashlib
import json
import threading

from ledger.entries import idempotency
from tests.conftest import assert_problem
from tests.entries.conftest import URL


def key(value: str = "3f1c8a52-retry-me") -> dict:
    return {"Idempotency-Key": value}


def test_retry_with_same_key_and_body_replays_the_first_response(post_entry, sql):
    first = post_entry(headers=key(), memo="Lunch")
    assert first.status_code == 201
    again = post_entry(headers=key(), memo="Lunch")
    assert again.status_code == 201
    assert again.data == first.data  # byte for byte
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert sql.count("entries") == 1
    assert sql.count("idempotency_keys") == 1


def test_key_order_and_whitespace_of_the_body_do_not_matter(client, logged_in, ids, sql):
    body = {"type": "expense", "amount": 500, "occurred_on": "2026-11-20", "account_id": ids["cash"],
            "category_id": ids["categories"]["Food"]}
    headers = {**logged_in.headers, **key(), "Content-Type": "application/json"}
    first = client.post(URL, data=json.dumps(body), headers=headers)
    again = client.post(URL, data=json.dumps(dict(reversed(body.items())), indent=2), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.data == first.data
    assert sql.count("entries") == 1


def test_stored_row_holds_sha256_of_canonical_body_and_the_response(post_entry, ids, user, sql):
    response = post_entry(headers=key("k-1"), amount=700)
    canonical = json.dumps({"account_id": ids["cash"], "amount": 700, "category_id": ids["categories"]["Food"],
                            "occurred_on": "2026-11-20", "type": "expense"}, separators=(",", ":"))
    assert sql.rows("SELECT ledger_id, key, request_hash, status_code, response_body FROM idempotency_keys") == [
        (user.id, "k-1", hashlib.sha256(canonical.encode()).hexdigest(), 201, response.get_data(as_text=True))]


def test_same_key_with_a_different_body_is_idempotency_key_reused(post_entry, sql):
    first = post_entry(headers=key(), amount=1000)
    response = post_entry(headers=key(), amount=2000)
    assert_problem(response, 422, "idempotency_key_reused")
    assert sql.rows("SELECT amount FROM entries") == [(1000,)]
    assert sql.scalar("SELECT response_body FROM idempotency_keys") == first.get_data(as_text=True)


def test_replay_returns_the_first_response_even_after_the_entry_changed(post_entry, client, logged_in, sql):
    first = post_entry(headers=key(), amount=1000)
    entry_id = first.get_json()["id"]
    assert client.patch(f"{URL}/{entry_id}", json={"amount": 9}, headers=logged_in.headers).status_code == 200
    again = post_entry(headers=key(), amount=1000)
    assert (again.status_code, again.data) == (201, first.data)
    assert sql.rows("SELECT amount FROM entries") == [(9,)]


def test_keys_are_per_user(post_entry, client, auth, make_user, sql):
    first = post_entry(headers=key("shared"))
    other = make_user()
    auth.login(other)
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id)
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=other.ledger_id)
    response = client.post(URL, json={"type": "expense", "amount": 1000, "occurred_on": "2026-11-20",
                                      "account_id": cash, "category_id": food},
                           headers={**auth.headers, **key("shared")})
    assert response.status_code == 201
    assert response.get_json()["id"] != first.get_json()["id"]
    assert sql.count("entries") == 2
    assert sql.count("idempotency_keys", "key = 'shared'") == 2


def test_without_a_key_every_post_creates_an_entry(post_entry, sql):
    assert post_entry().status_code == 201
    assert post_entry().status_code == 201
    assert sql.count("entries") == 2
    assert sql.count("idempotency_keys") == 0


def test_a_key_of_255_characters_is_accepted(post_entry, sql):
    assert post_entry(headers=key("k" * 255)).status_code == 201
    assert sql.count("idempotency_keys") == 1


def test_a_key_over_255_characters_is_refused(post_entry, sql):
    body = assert_problem(post_entry(headers=key("k" * 256)), 422, "validation_error")
    assert "Idempotency-Key" in body["errors"]
    assert (sql.count("entries"), sql.count("idempotency_keys")) == (0, 0)


def test_an_empty_key_is_refused(post_entry, sql):
    body = assert_problem(post_entry(headers=key("")), 422, "validation_error")
    assert "Idempotency-Key" in body["errors"]
    assert (sql.count("entries"), sql.count("idempotency_keys")) == (0, 0)


def test_failed_validation_is_not_stored_so_a_corrected_retry_succeeds(post_entry, sql):
    refused = post_entry(headers=key(), category_id=999999)
    assert_problem(refused, 422, "validation_error")
    assert (sql.count("entries"), sql.count("idempotency_keys")) == (0, 0)
    corrected = post_entry(headers=key())
    assert corrected.status_code == 201
    assert (sql.count("entries"), sql.count("idempotency_keys")) == (1, 1)


def test_losing_a_race_on_the_key_rolls_back_and_replays_the_winner(post_entry, sql, monkeypatch):
    first = post_entry(headers=key())
    real = idempotency._stored
    calls = []

    def stored_not_yet_visible(user_id, value):
        # The first lookup runs before the concurrent winner committed; later ones see its row.
        calls.append(value)
        return None if len(calls) == 1 else real(user_id, value)

    monkeypatch.setattr(idempotency, "_stored", stored_not_yet_visible)
    again = post_entry(headers=key())
    assert len(calls) == 2
    assert (again.status_code, again.data) == (201, first.data)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sql.count("entries") == 1
    assert sql.count("idempotency_keys") == 1


def test_losing_a_race_with_a_different_body_is_idempotency_key_reused(post_entry, sql, monkeypatch):
    post_entry(headers=key(), amount=1000)
    real = idempotency._stored
    calls = []

    def stored_not_yet_visible(user_id, value):
        calls.append(value)
        return None if len(calls) == 1 else real(user_id, value)

    monkeypatch.setattr(idempotency, "_stored", stored_not_yet_visible)
    assert_problem(post_entry(headers=key(), amount=2000), 422, "idempotency_key_reused")
    assert sql.rows("SELECT amount FROM entries") == [(1000,)]


def test_concurrent_posts_with_one_key_create_one_entry(app, logged_in, ids, sql):
    body = {"type": "expense", "amount": 1000, "occurred_on": "2026-11-20", "account_id": ids["cash"],
            "category_id": ids["categories"]["Food"]}
    headers = {**logged_in.headers, **key("concurrent")}
    workers = 4
    barrier = threading.Barrier(workers)
    results: list = []

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post(URL, json=body, headers=headers)
        results.append((response.status_code, response.data))

    threads = [threading.Thread(target=post) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in results] == [201] * workers, results
    assert len({data for _, data in results}) == 1
    assert sql.count("entries") == 1
    assert sql.count("idempotency_keys") == 1


def test_purge_forgets_old_keys_only(app, post_entry, sql):
    post_entry(headers=key("old"))
    post_entry(headers=key("recent"))
    sql.execute("UPDATE idempotency_keys SET created_at = :t WHERE key = 'old'", t="2000-01-01 00:00:00+00:00")
    with app.app_context():
        assert idempotency.purge_idempotency_keys() == 1
    assert sql.rows("SELECT key FROM idempotency_keys") == [("recent",)]
    assert post_entry(headers=key("old")).status_code == 201  # a forgotten key creates anew
    assert sql.count("entries") == 3
