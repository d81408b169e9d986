"""Two members keeping one ledger: Idempotency-Keys per member, who created and changed an entry, the default
ledger of the unscoped paths, and the household's payday month."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, assert_problem, default_ids
from tests.ledgers.conftest import default_of


@pytest.fixture
def shared(household, sql):
    return default_ids(sql, household.owner.user)


def _entry(shared, amount: int, memo: str = "") -> dict:
    return {"type": "expense", "amount": amount, "occurred_on": "2026-11-20", "account_id": shared["cash"],
            "category_id": shared["categories"]["Food"], "memo": memo}


def test_two_members_with_the_same_idempotency_key_each_create_their_entry(client, household, shared, sql):
    key = {"Idempotency-Key": "same-key-from-two-phones"}
    posts = {}
    for person, amount in ((household.owner, 1000), (household.editor, 2000)):
        response = client.post(household.path("/entries"), headers={**person.headers, **key},
                               json=_entry(shared, amount))
        assert response.status_code == 201, response.get_json()
        assert "Idempotent-Replayed" not in response.headers
        posts[person.id] = response

    # A retry of each replays that member's own answer, byte for byte, and creates nothing.
    for person, amount in ((household.owner, 1000), (household.editor, 2000)):
        retry = client.post(household.path("/entries"), headers={**person.headers, **key},
                            json=_entry(shared, amount))
        assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
        assert retry.get_data() == posts[person.id].get_data()

    rows = sql.rows("SELECT amount, created_by FROM entries WHERE ledger_id = :l ORDER BY id", l=household.ledger_id)
    assert [tuple(r) for r in rows] == [(1000, household.owner.id), (2000, household.editor.id)]
    assert sql.count("idempotency_keys", "ledger_id = :l", l=household.ledger_id) == 2


def test_one_member_reusing_a_key_with_another_body_is_422(client, household, shared, sql):
    key = {"Idempotency-Key": "k1"}
    client.post(household.path("/entries"), headers={**household.editor.headers, **key}, json=_entry(shared, 1))

    assert_problem(client.post(household.path("/entries"), headers={**household.editor.headers, **key},
                               json=_entry(shared, 2)), 422, "idempotency_key_reused")
    assert sql.count("entries", "ledger_id = :l", l=household.ledger_id) == 1


def test_created_by_and_updated_by_say_who(client, household, shared, sql):
    created = client.post(household.path("/entries"), headers=household.editor.headers, json=_entry(shared, 500))
    entry = created.get_json()
    assert (entry["created_by"], entry["updated_by"]) == (household.editor.id, household.editor.id)

    changed = client.patch(household.path(f"/entries/{entry['id']}"), headers=household.owner.headers,
                           json={"memo": "checked"})

    assert changed.status_code == 200
    assert (changed.get_json()["created_by"], changed.get_json()["updated_by"]) \
        == (household.editor.id, household.owner.id)
    assert sql.rows("SELECT created_by, updated_by FROM entries WHERE id = :e", e=entry["id"]) \
        == [(household.editor.id, household.owner.id)]


def test_after_a_members_deletion_their_entries_stay_with_null_authors(client, household, shared, sql):
    entry = client.post(household.path("/entries"), headers=household.editor.headers,
                        json=_entry(shared, 500, "theirs")).get_json()
    client.patch(household.path(f"/entries/{entry['id']}"), headers=household.editor.headers, json={"memo": "x"})

    assert client.delete("/api/v1/me", headers=household.editor.headers,
                         json={"password": PASSWORD}).status_code == 204

    assert sql.rows("SELECT created_by, updated_by FROM entries WHERE id = :e", e=entry["id"]) == [(None, None)]
    shown = client.get(household.path(f"/entries/{entry['id']}"), headers=household.owner.headers).get_json()
    assert (shown["created_by"], shown["updated_by"], shown["memo"]) == (None, None, "x")
    # the editor's own personal ledger went with them; the shared one stays
    assert sql.count("ledgers", "id = :l", l=household.editor.user.ledger_id) == 0
    assert household.editor.id not in dict(sql.rows("SELECT user_id, role FROM ledger_members"))


def test_a_deleted_sole_owner_leaves_the_shared_ledger_to_the_longest_standing_member(client, household, sql):
    assert client.delete("/api/v1/me", headers=household.owner.headers,
                         json={"password": PASSWORD}).status_code == 204

    assert dict(sql.rows("SELECT user_id, role FROM ledger_members WHERE ledger_id = :l", l=household.ledger_id)) \
        == {household.editor.id: "owner", household.viewer.id: "viewer"}


def test_the_default_ledger_moves_the_unscoped_paths(client, household, shared, sql):
    editor = household.editor
    own = client.get("/api/v1/accounts", headers=editor.headers).get_json()["items"]

    response = client.patch("/api/v1/me", headers=editor.headers, json={"default_ledger_id": household.ledger_id})

    assert response.status_code == 200
    assert response.get_json()["default_ledger_id"] == household.ledger_id
    assert default_of(sql, editor.id) == household.ledger_id
    assert client.get("/api/v1/me", headers=editor.headers).get_json()["default_ledger_id"] == household.ledger_id
    accounts = client.get("/api/v1/accounts", headers=editor.headers).get_json()["items"]
    assert [a["id"] for a in accounts] == [shared["cash"]] != [a["id"] for a in own]
    created = client.post("/api/v1/entries", headers=editor.headers, json=_entry(shared, 700))
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"/api/v1/entries/{created.get_json()['id']}")
    assert sql.scalar("SELECT ledger_id FROM entries WHERE id = :e", e=created.get_json()["id"]) \
        == household.ledger_id


def test_a_default_ledger_you_are_not_a_member_of_is_422(client, household, sql):
    missing = sql.scalar("SELECT MAX(id) FROM ledgers") + 1
    for ledger_id in (household.ledger_id, missing):
        problem = assert_problem(client.patch("/api/v1/me", headers=household.outsider.headers,
                                              json={"default_ledger_id": ledger_id}), 422, "validation_error")
        assert list(problem["errors"]) == ["default_ledger_id"]
    assert default_of(sql, household.outsider.id) == household.outsider.user.ledger_id


def test_month_start_day_of_a_shared_default_is_for_owners(client, household, sql):
    for person in (household.editor, household.viewer):
        assert client.patch("/api/v1/me", headers=person.headers,
                            json={"default_ledger_id": household.ledger_id}).status_code == 200
        assert_problem(client.patch("/api/v1/me", headers=person.headers, json={"month_start_day": 25}),
                       403, "forbidden_role")
    assert sql.scalar("SELECT month_start_day FROM ledgers WHERE id = :l", l=household.ledger_id) == 1

    response = client.patch("/api/v1/me", headers=household.owner.headers, json={"month_start_day": 25})

    assert response.status_code == 200 and response.get_json()["month_start_day"] == 25
    assert sql.scalar("SELECT month_start_day FROM ledgers WHERE id = :l", l=household.ledger_id) == 25
    assert client.get("/api/v1/me", headers=household.viewer.headers).get_json()["month_start_day"] == 25


def test_if_match_still_guards_a_shared_entry(client, household, shared):
    created = client.post(household.path("/entries"), headers=household.owner.headers, json=_entry(shared, 100))
    path = household.path(f"/entries/{created.get_json()['id']}")
    etag = client.get(path, headers=household.editor.headers).headers["ETag"]
    assert client.patch(path, headers={**household.editor.headers, "If-Match": etag},
                        json={"memo": "editor first"}).status_code == 200

    assert_problem(client.patch(path, headers={**household.owner.headers, "If-Match": etag},
                                json={"memo": "owner's lost update"}), 412, "precondition_failed")
    assert client.get(path, headers=household.owner.headers).get_json()["memo"] == "editor first"


def test_one_members_key_is_per_ledger(client, household, shared, sql):
    editor, key = household.editor, {"Idempotency-Key": "one-key-two-ledgers"}
    own = default_ids(sql, editor.user)
    first = client.post(household.path("/entries"), headers={**editor.headers, **key}, json=_entry(shared, 10))
    second = client.post(f"/api/v1/ledgers/{editor.user.ledger_id}/entries", headers={**editor.headers, **key},
                         json=_entry(own, 10))

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second.headers and first.get_json()["id"] != second.get_json()["id"]
    assert sql.rows("SELECT ledger_id FROM entries ORDER BY id") == [(household.ledger_id,),
                                                                     (editor.user.ledger_id,)]


def test_a_removed_members_retry_is_not_replayed(client, household, shared, sql):
    key = {"Idempotency-Key": "before-removal"}
    editor = household.editor
    assert client.post(household.path("/entries"), headers={**editor.headers, **key},
                       json=_entry(shared, 10)).status_code == 201
    client.delete(household.path(f"/members/{editor.id}"), headers=household.owner.headers)

    assert_problem(client.post(household.path("/entries"), headers={**editor.headers, **key},
                               json=_entry(shared, 10)), 404, "not_found")
    assert sql.count("entries") == 1


def test_month_start_day_with_a_new_default_applies_to_the_new_default(client, household, sql):
    """PATCH /me {default_ledger_id, month_start_day}: the payday month is the new default ledger's."""
    editor = household.editor
    assert client.patch("/api/v1/me", headers=editor.headers,
                        json={"default_ledger_id": household.ledger_id}).status_code == 200

    # Back to the ledger they own, with its payday in the same request: allowed, and applied to that ledger.
    response = client.patch("/api/v1/me", headers=editor.headers,
                            json={"default_ledger_id": editor.user.ledger_id, "month_start_day": 20})

    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["default_ledger_id"], response.get_json()["month_start_day"]) \
        == (editor.user.ledger_id, 20)
    assert dict(sql.rows("SELECT id, month_start_day FROM ledgers WHERE id IN (:a, :b)",
                         a=household.ledger_id, b=editor.user.ledger_id)) \
        == {household.ledger_id: 1, editor.user.ledger_id: 20}


def test_month_start_day_of_a_new_default_you_do_not_own_is_403_and_changes_nothing(client, household, sql):
    editor = household.editor
    before = sql.rows("SELECT id, month_start_day FROM ledgers ORDER BY id")

    assert_problem(client.patch("/api/v1/me", headers=editor.headers,
                                json={"default_ledger_id": household.ledger_id, "month_start_day": 25}),
                   403, "forbidden_role")

    assert sql.rows("SELECT id, month_start_day FROM ledgers ORDER BY id") == before
    assert default_of(sql, editor.id) == editor.user.ledger_id


def test_month_start_day_with_a_default_you_are_not_a_member_of_is_422(client, household, sql):
    before = sql.rows("SELECT id, month_start_day FROM ledgers ORDER BY id")

    problem = assert_problem(client.patch("/api/v1/me", headers=household.outsider.headers,
                                          json={"default_ledger_id": household.ledger_id, "month_start_day": 25}),
                             422, "validation_error")

    assert list(problem["errors"]) == ["default_ledger_id"]
    assert sql.rows("SELECT id, month_start_day FROM ledgers ORDER BY id") == before
