"""GET /changes: every kind's insert, update and delete, tombstones, cursors, 410, 304, roles, limits."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.database import utcnow
from ledger.feed.kinds import KINDS
from ledger.feed.models import FEED_MODELS
from ledger.feed.services import purge_tombstones
from tests.conftest import assert_problem, default_ids
from tests.feed.conftest import CHANGES, Follower, assert_in_sync, client_get

ENTRIES = "/api/v1/entries"


def _changes(client, headers, since: int = 0, limit: int = 1000, path: str = CHANGES):
    response = client.get(f"{path}?since={since}&limit={limit}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _position(client, headers, path: str = CHANGES) -> int:
    return _changes(client, headers, path=path)["ledger_seq"]


def _expense(ids, amount=1000, **extra):
    return {"type": "expense", "amount": amount, "occurred_on": "2026-11-20", "account_id": ids["cash"],
            "category_id": ids["categories"]["Food"], **extra}


def test_every_feed_table_has_a_response_schema_and_an_index(app):
    from sqlalchemy import inspect

    from ledger.extensions import db

    assert set(FEED_MODELS) == set(KINDS)
    with app.app_context():
        inspector = inspect(db.engine)
        for model in FEED_MODELS.values():
            indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes(model.__tablename__)}
            assert ("ledger_id", "change_seq") in indexes, model.__tablename__


def test_a_new_ledger_snapshot_has_its_default_rows(client, logged_in, user, sql):
    body = _changes(client, logged_in.headers)

    kinds = [(c["kind"], c["op"]) for c in body["changes"]]
    assert kinds == [("accounts", "upsert")] + [("categories", "upsert")] * 16
    assert [c["seq"] for c in body["changes"]] == list(range(1, 18))
    assert body["next"] == body["ledger_seq"] == 17 and body["has_more"] is False
    assert body["changes"][0]["data"] == client.get(f"/api/v1/accounts/{body['changes'][0]['id']}",
                                                    headers=logged_in.headers).get_json()
    assert sql.scalar("SELECT change_seq FROM ledgers WHERE id = :l", l=user.ledger_id) == 17


def test_an_entry_insert_update_and_delete_appear_in_order(client, logged_in, user, ids, sql):
    headers = logged_in.headers
    start = _position(client, headers)
    entry = client.post(ENTRIES, json=_expense(ids, tags=["b", "a"]), headers=headers).get_json()

    body = _changes(client, headers, start)
    assert [(c["seq"], c["kind"], c["id"], c["op"]) for c in body["changes"]] == \
        [(start + 1, "entries", entry["id"], "upsert")]
    assert body["changes"][0]["data"] == entry == client.get(f"{ENTRIES}/{entry['id']}", headers=headers).get_json()
    assert sql.scalar("SELECT change_seq FROM entries WHERE id = :e", e=entry["id"]) == start + 1

    changed = client.patch(f"{ENTRIES}/{entry['id']}", json={"memo": "lunch", "tags": ["c"]}, headers=headers)
    body = _changes(client, headers, start + 1)
    assert [(c["seq"], c["op"]) for c in body["changes"]] == [(start + 2, "upsert")]
    assert body["changes"][0]["data"] == changed.get_json()

    assert client.delete(f"{ENTRIES}/{entry['id']}", headers=headers).status_code == 204
    body = _changes(client, headers, start + 2)
    assert body["changes"] == [{"seq": start + 3, "kind": "entries", "id": entry["id"], "op": "delete",
                                "data": None}]
    assert sql.rows("SELECT kind, row_id, change_seq FROM change_tombstones WHERE ledger_id = :l",
                    l=user.ledger_id) == [("entries", entry["id"], start + 3)]
    # From the start: the entry was inserted and deleted; only its deletion is left to tell.
    assert [(c["kind"], c["op"]) for c in _changes(client, headers, start)["changes"]] == [("entries", "delete")]


def test_a_patch_that_changes_nothing_is_no_change(client, logged_in, ids):
    entry = client.post(ENTRIES, json=_expense(ids), headers=logged_in.headers).get_json()
    start = _position(client, logged_in.headers)

    assert client.patch(f"{ENTRIES}/{entry['id']}", json={"amount": 1000}, headers=logged_in.headers).status_code == 200

    assert _changes(client, logged_in.headers, start)["changes"] == []


def test_an_account_insert_update_and_delete_appear(client, logged_in, user, sql):
    headers = logged_in.headers
    start = _position(client, headers)
    account = client.post("/api/v1/accounts", json={"name": "Bank", "type": "bank", "opening_balance": 500},
                          headers=headers).get_json()
    client.patch(f"/api/v1/accounts/{account['id']}", json={"archived": True}, headers=headers)
    after_patch = _changes(client, headers, start)
    assert [(c["kind"], c["id"], c["op"]) for c in after_patch["changes"]] == [("accounts", account["id"], "upsert")]
    assert after_patch["changes"][0]["data"] == {**account, "archived": True}

    assert client.delete(f"/api/v1/accounts/{account['id']}", headers=headers).status_code == 204
    body = _changes(client, headers, after_patch["next"])
    assert [(c["kind"], c["id"], c["op"], c["data"]) for c in body["changes"]] == \
        [("accounts", account["id"], "delete", None)]
    assert sql.count("change_tombstones", "kind = 'accounts' AND row_id = :a", a=account["id"]) == 1


def test_a_category_insert_update_and_delete_with_reassign_appear(client, logged_in, user, ids, sql):
    headers = logged_in.headers
    category = client.post("/api/v1/categories", json={"name": "Pets", "kind": "expense"}, headers=headers).get_json()
    entries = [client.post(ENTRIES, json=_expense(ids, category_id=category["id"]), headers=headers).get_json()
               for _ in range(3)]
    assert client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": category["id"], "amount": 9}]},
                      headers=headers).status_code == 200
    budget_id = sql.scalar("SELECT id FROM budgets WHERE category_id = :c", c=category["id"])
    start = _position(client, headers)
    client.patch(f"/api/v1/categories/{category['id']}", json={"color": "#123456"}, headers=headers)

    food = ids["categories"]["Food"]
    assert client.delete(f"/api/v1/categories/{category['id']}?reassign_to={food}", headers=headers).status_code == 204

    body = _changes(client, headers, start)
    summary = [(c["kind"], c["id"], c["op"]) for c in body["changes"]]
    # the rename and then the delete of the same row: only its last state (the deletion) is left
    assert summary == [("entries", e["id"], "upsert") for e in entries] + \
        [("budgets", budget_id, "delete"), ("categories", category["id"], "delete")]
    seqs = [c["seq"] for c in body["changes"]]
    assert seqs == sorted(set(seqs)) and seqs[-1] == body["ledger_seq"]
    for change in body["changes"][:3]:
        assert change["data"]["category_id"] == food
        assert change["data"] == client.get(f"{ENTRIES}/{change['id']}", headers=headers).get_json()


def test_budgets_put_reports_the_old_rows_deleted_and_the_new_ones(client, logged_in, ids, sql):
    headers = logged_in.headers
    food, cafe = ids["categories"]["Food"], ids["categories"]["Cafe & snacks"]
    start = _position(client, headers)
    client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": food, "amount": 100}]}, headers=headers)
    first = _changes(client, headers, start)
    assert [(c["kind"], c["op"], c["data"]["month"], c["data"]["category_id"], c["data"]["amount"])
            for c in first["changes"]] == [("budgets", "upsert", "2026-11", food, 100)]
    old_id = first["changes"][0]["id"]

    client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": food, "amount": 200},
                                                          {"category_id": cafe, "amount": 50}]}, headers=headers)
    second = _changes(client, headers, first["next"])
    assert [(c["kind"], c["op"]) for c in second["changes"]] == \
        [("budgets", "delete"), ("budgets", "upsert"), ("budgets", "upsert")]
    assert second["changes"][0]["id"] == old_id
    assert {(c["data"]["category_id"], c["data"]["amount"]) for c in second["changes"][1:]} == {(food, 200), (cafe, 50)}

    client.put("/api/v1/budgets/2026-11", json={"items": []}, headers=headers)
    third = _changes(client, headers, second["next"])
    assert [(c["op"]) for c in third["changes"]] == ["delete", "delete"] and sql.count("budgets") == 0


def test_a_csv_import_numbers_each_entry(client, logged_in, user, sql):
    start = _position(client, logged_in.headers)
    csv = ("occurred_on,type,account,to_account,category,amount,memo,tags\r\n"
           "2026-11-01,expense,Cash,,Food,100,a,\r\n2026-11-02,expense,Card,,Books,200,b,x\r\n")
    response = client.post("/api/v1/entries/import", data=csv.encode(),
                           headers={**logged_in.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()

    body = _changes(client, logged_in.headers, start)
    assert [(c["kind"], c["op"]) for c in body["changes"]] == \
        [("accounts", "upsert"), ("categories", "upsert"), ("entries", "upsert"), ("entries", "upsert")]
    assert [c["seq"] for c in body["changes"]] == list(range(start + 1, start + 5))
    assert {c["data"]["memo"] for c in body["changes"][2:]} == {"a", "b"}


def test_a_deleted_members_entries_lose_their_author_in_the_feed(client, household, sql, app):
    from ledger.auth import users

    ids = default_ids(sql, household.owner.user)
    path = household.path("/changes")
    entry = client.post(household.path("/entries"), json=_expense(ids), headers=household.editor.headers).get_json()
    assert entry["created_by"] == household.editor.id
    start = _position(client, household.owner.headers, path)

    with app.app_context():
        users.delete_user(users.get_user(household.editor.id))

    body = _changes(client, household.owner.headers, start, path=path)
    assert [(c["kind"], c["id"]) for c in body["changes"]] == [("entries", entry["id"])] * 1
    assert body["changes"][0]["data"]["created_by"] is None and body["changes"][0]["data"]["updated_by"] is None


# --- cursors -------------------------------------------------------------------------------------------------

def test_a_snapshot_pages_through_every_live_row_once(client, logged_in, ids):
    headers = logged_in.headers
    for amount in range(1, 6):
        client.post(ENTRIES, json=_expense(ids, amount), headers=headers)
    follower = Follower()

    pages = follower.poll(client_get(client, headers), limit=4)

    assert pages == 6  # 17 default rows + 5 entries = 22 rows, 4 a page
    assert len(follower.rows) == 22 and len(follower.seen) == 22


def test_a_row_deleted_while_a_snapshot_is_paged_is_reported(client, logged_in, user, ids, sql):
    headers = logged_in.headers
    first = _changes(client, headers, 0, limit=1)  # the cash account
    account_id = first["changes"][0]["id"]
    assert first["has_more"] and first["next"] == 1
    category = ids["categories"]["Food"]
    # The Food category (not yet sent) is deleted, the cash account (sent) is renamed.
    assert client.delete(f"/api/v1/categories/{category}", headers=headers).status_code == 204
    client.patch(f"/api/v1/accounts/{account_id}", json={"name": "Wallet"}, headers=headers)
    follower = Follower(rows={("accounts", account_id): first["changes"][0]["data"]}, since=first["next"])

    follower.poll(client_get(client, headers), limit=5)

    assert ("categories", category) not in follower.rows
    assert follower.rows[("accounts", account_id)]["name"] == "Wallet"
    assert_in_sync(follower, sql, user.ledger_id, client_get(client, headers))


def test_purged_tombstones_expire_older_cursors(client, logged_in, user, ids, sql, app, runner):
    headers = logged_in.headers
    entry = client.post(ENTRIES, json=_expense(ids), headers=headers).get_json()
    client.delete(f"{ENTRIES}/{entry['id']}", headers=headers)
    deleted_seq = _position(client, headers)
    other = client.post(ENTRIES, json=_expense(ids), headers=headers).get_json()
    client.delete(f"{ENTRIES}/{other['id']}", headers=headers)
    sql.execute("UPDATE change_tombstones SET deleted_at = :old WHERE change_seq = :s",
                old=utcnow() - timedelta(days=31), s=deleted_seq)

    result = runner.invoke(args=["feed", "purge-tombstones"])

    assert result.exit_code == 0 and result.output.strip() == "purged 1 tombstones"
    assert sql.scalar("SELECT change_horizon FROM ledgers WHERE id = :l", l=user.ledger_id) == deleted_seq
    assert sql.count("change_tombstones") == 1
    body = assert_problem(client.get(f"{CHANGES}?since={deleted_seq - 1}", headers=headers), 410, "cursor_expired")
    assert "since=0" in body["detail"]
    assert _changes(client, headers, deleted_seq)["changes"][-1]["op"] == "delete"  # at the horizon: fine
    assert _changes(client, headers, 0)["has_more"] is False  # a snapshot never expires
    with app.app_context():
        assert purge_tombstones() == 0  # nothing old is left; the horizon stays
    assert sql.scalar("SELECT change_horizon FROM ledgers WHERE id = :l", l=user.ledger_id) == deleted_seq


def test_a_cursor_beyond_the_ledger_is_expired(client, logged_in):
    seq = _position(client, logged_in.headers)

    assert_problem(client.get(f"{CHANGES}?since={seq + 1}", headers=logged_in.headers), 410, "cursor_expired")
    assert _changes(client, logged_in.headers, seq)["changes"] == []


def test_an_unchanged_feed_answers_304_in_two_statements(client, logged_in, ids, count_statements):
    headers = logged_in.headers
    first = client.get(f"{CHANGES}?since=3&limit=10", headers=headers)
    etag = first.headers["ETag"]

    with count_statements() as statements:
        again = client.get(f"{CHANGES}?since=3&limit=10", headers={**headers, "If-None-Match": etag})

    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert len(statements) == 2, statements  # the auth check, the ledger's counter
    other_limit = client.get(f"{CHANGES}?since=3&limit=11", headers={**headers, "If-None-Match": etag})
    assert other_limit.status_code == 200
    client.post(ENTRIES, json=_expense(ids), headers=headers)
    changed = client.get(f"{CHANGES}?since=3&limit=10", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"), ("limit=1.5", "limit"),
    ("since=-1", "since"), ("since=x", "since"), ("since=99999999999999999999", "since"), ("after=1", "after"),
])
def test_bad_query_is_422_naming_the_field(client, logged_in, query, field):
    body = assert_problem(client.get(f"{CHANGES}?{query}", headers=logged_in.headers), 422, "validation_error")
    assert field in str(body["errors"])


def test_limit_defaults_to_500(client, logged_in, make_entry, ids, user):
    for _ in range(500):
        make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"])

    body = client.get(CHANGES, headers=logged_in.headers).get_json()

    assert len(body["changes"]) == 500 and body["has_more"] is True and body["next"] == 500


# --- who may read -------------------------------------------------------------------------------------------

def test_every_member_reads_the_ledgers_feed_and_no_one_else(client, household):
    path = household.path("/changes")
    owner = _changes(client, household.owner.headers, path=path)

    assert _changes(client, household.viewer.headers, path=path) == owner
    assert _changes(client, household.editor.headers, path=path) == owner
    assert_problem(client.get(path, headers=household.outsider.headers), 404, "not_found")
    assert client.get(path).status_code == 401


def test_a_viewer_cannot_write_but_sees_the_writes(client, household, sql):
    ids = default_ids(sql, household.owner.user)
    path = household.path("/changes")
    start = _position(client, household.viewer.headers, path)
    assert_problem(client.post(household.path("/entries"), json=_expense(ids), headers=household.viewer.headers),
                   403, "forbidden_role")
    assert _changes(client, household.viewer.headers, start, path=path)["changes"] == []

    client.post(household.path("/entries"), json=_expense(ids), headers=household.editor.headers)

    assert [c["kind"] for c in _changes(client, household.viewer.headers, start, path=path)["changes"]] == ["entries"]


def test_another_ledgers_changes_never_appear(client, household, sql):
    mine = household.outsider
    theirs = default_ids(sql, household.owner.user)
    before = _changes(client, mine.headers)
    client.post(household.path("/entries"), json=_expense(theirs), headers=household.owner.headers)
    client.delete(f"/api/v1/categories/{theirs['categories']['Leisure']}", headers=household.owner.headers)

    after = _changes(client, mine.headers)

    assert after == before  # the unscoped path is the outsider's own (default) ledger, untouched
    own = {(c["kind"], c["id"]) for c in after["changes"]}
    assert ("categories", theirs["categories"]["Leisure"]) not in own
    assert household.owner.user.ledger_id != household.outsider.user.ledger_id


# --- cost -----------------------------------------------------------------------------------------------------

def test_a_page_costs_a_fixed_number_of_statements(client, logged_in, user, ids, make_entry, count_statements):
    for index in range(300):
        make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], tags=("t", f"x{index}"))
    client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": ids["categories"]["Food"], "amount": 9}]},
               headers=logged_in.headers)
    client.delete(f"/api/v1/categories/{ids['categories']['Leisure']}", headers=logged_in.headers)
    counts = []
    for since, limit in ((0, 1000), (0, 10), (5, 1000)):
        with count_statements() as statements:
            body = _changes(client, logged_in.headers, since, limit)
        counts.append(len(statements))
        assert body["changes"]
    # auth, the counter, one range scan per kind, the entries' tags and split lines, the cash account's balance
    # (seq 1)
    assert counts[0] == 1 + 1 + len(KINDS) + 2 + 1, counts
    assert counts[1] == counts[0]  # 10 rows instead of 320: the same statements
    # since=5: the tombstones too (since > 0), and no account (the cash account is seq 1): no balances
    assert counts[2] == 1 + 1 + len(KINDS) + 2 + 1, counts
