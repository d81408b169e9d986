"""GET/PATCH/DELETE /api/v1/ledgers/{id}/members[/{user_id}]: roles, removal, leaving, the last owner."""
import threading

import pytest

from tests.conftest import assert_problem
from tests.ledgers.conftest import default_of, members_of


def test_any_member_lists_the_members_longest_standing_first(client, household):
    for person in (household.owner, household.editor, household.viewer):
        response = client.get(household.path("/members"), headers=person.headers)
        assert response.status_code == 200
        items = response.get_json()["items"]
        assert [(m["user_id"], m["email"], m["display_name"], m["role"]) for m in items] == [
            (household.owner.id, household.owner.user.email, "Ann", "owner"),
            (household.editor.id, household.editor.user.email, "Ben", "editor"),
            (household.viewer.id, household.viewer.user.email, "Vic", "viewer")]


def test_owner_changes_a_role(client, household, sql):
    response = client.patch(household.path(f"/members/{household.viewer.id}"), headers=household.owner.headers,
                            json={"role": "editor"})

    assert response.status_code == 200
    assert (response.get_json()["user_id"], response.get_json()["role"]) == (household.viewer.id, "editor")
    assert members_of(sql, household.ledger_id)[household.viewer.id] == "editor"
    # and the new editor can write right away
    assert client.post(household.path("/accounts"), headers=household.viewer.headers,
                       json={"name": "Savings", "type": "bank"}).status_code == 201


def test_a_non_owner_cannot_change_roles(client, household, sql):
    before = members_of(sql, household.ledger_id)
    for person, target, role in ((household.editor, household.viewer, "editor"),
                                 (household.editor, household.editor, "owner"),
                                 (household.viewer, household.viewer, "owner"),
                                 (household.editor, household.owner, "viewer")):
        assert_problem(client.patch(household.path(f"/members/{target.id}"), headers=person.headers,
                                    json={"role": role}), 403, "forbidden_role")
    assert members_of(sql, household.ledger_id) == before


def test_an_unknown_role_is_422(client, household, sql):
    body = assert_problem(client.patch(household.path(f"/members/{household.viewer.id}"),
                                       headers=household.owner.headers, json={"role": "admin"}),
                          422, "validation_error")
    assert list(body["errors"]) == ["role"]
    assert members_of(sql, household.ledger_id)[household.viewer.id] == "viewer"


def test_the_last_owner_cannot_be_demoted(client, household, sql):
    before = members_of(sql, household.ledger_id)

    for role in ("editor", "viewer"):
        assert_problem(client.patch(household.path(f"/members/{household.owner.id}"),
                                    headers=household.owner.headers, json={"role": role}), 409, "last_owner")

    assert members_of(sql, household.ledger_id) == before


def test_the_last_owner_cannot_leave(client, household, sql):
    before = members_of(sql, household.ledger_id)

    assert_problem(client.delete(household.path(f"/members/{household.owner.id}"), headers=household.owner.headers),
                   409, "last_owner")

    assert members_of(sql, household.ledger_id) == before
    assert default_of(sql, household.owner.id) == household.ledger_id


def test_with_a_second_owner_the_first_may_step_down_and_leave(client, household, sql):
    owner, editor = household.owner, household.editor
    assert client.patch(household.path(f"/members/{editor.id}"), headers=owner.headers,
                        json={"role": "owner"}).status_code == 200

    assert client.patch(household.path(f"/members/{owner.id}"), headers=owner.headers,
                        json={"role": "viewer"}).status_code == 200
    assert client.delete(household.path(f"/members/{owner.id}"), headers=owner.headers).status_code == 204

    assert members_of(sql, household.ledger_id) == {editor.id: "owner", household.viewer.id: "viewer"}
    # the ledger was Ann's default: she gets a new personal one
    new = default_of(sql, owner.id)
    assert new != household.ledger_id and members_of(sql, new) == {owner.id: "owner"}
    # and the one remaining owner cannot step down
    assert_problem(client.patch(household.path(f"/members/{editor.id}"), headers=editor.headers,
                                json={"role": "editor"}), 409, "last_owner")


def test_owner_removes_a_member(client, household, sql):
    response = client.delete(household.path(f"/members/{household.editor.id}"), headers=household.owner.headers)

    assert response.status_code == 204
    assert household.editor.id not in members_of(sql, household.ledger_id)
    assert default_of(sql, household.editor.id) == household.editor.user.ledger_id  # their own, untouched


def test_a_member_leaves(client, household, sql):
    for person in (household.viewer, household.editor):
        assert client.delete(household.path(f"/members/{person.id}"), headers=person.headers).status_code == 204
    assert members_of(sql, household.ledger_id) == {household.owner.id: "owner"}


def test_a_non_owner_cannot_remove_someone_else(client, household, sql):
    before = members_of(sql, household.ledger_id)
    assert_problem(client.delete(household.path(f"/members/{household.viewer.id}"), headers=household.editor.headers),
                   403, "forbidden_role")
    assert_problem(client.delete(household.path(f"/members/{household.owner.id}"), headers=household.viewer.headers),
                   403, "forbidden_role")
    assert members_of(sql, household.ledger_id) == before


def test_removing_a_non_member_is_404(client, household, sql):
    before = members_of(sql, household.ledger_id)
    for user_id in (household.outsider.id, 999999):
        assert_problem(client.delete(household.path(f"/members/{user_id}"), headers=household.owner.headers),
                       404, "not_found")
        assert_problem(client.patch(household.path(f"/members/{user_id}"), headers=household.owner.headers,
                                    json={"role": "viewer"}), 404, "not_found")
    assert members_of(sql, household.ledger_id) == before


def test_a_removed_member_is_refused_on_the_very_next_request(client, household):
    editor = household.editor
    assert client.get(household.path("/entries"), headers=editor.headers).status_code == 200

    client.delete(household.path(f"/members/{editor.id}"), headers=household.owner.headers)

    assert_problem(client.get(household.path("/entries"), headers=editor.headers), 404, "not_found")
    assert_problem(client.get(household.path("/members"), headers=editor.headers), 404, "not_found")
    # their own ledger still works with the same token
    assert client.get("/api/v1/entries", headers=editor.headers).status_code == 200


def test_a_lowered_role_is_refused_on_the_very_next_request(client, household, sql):
    editor = household.editor
    assert client.post(household.path("/accounts"), headers=editor.headers,
                       json={"name": "Before", "type": "bank"}).status_code == 201

    client.patch(household.path(f"/members/{editor.id}"), headers=household.owner.headers, json={"role": "viewer"})

    assert_problem(client.post(household.path("/accounts"), headers=editor.headers,
                               json={"name": "After", "type": "bank"}), 403, "forbidden_role")
    assert sql.count("accounts", "ledger_id = :l AND name = 'After'", l=household.ledger_id) == 0
    assert client.get(household.path("/accounts"), headers=editor.headers).status_code == 200


def _at_once(app, *requests_to_send):
    """Each (person, method, path, json) from its own thread and client, released together → the statuses."""
    barrier = threading.Barrier(len(requests_to_send))
    answers: list = [None] * len(requests_to_send)

    def send(index, person, method, path, body):
        client = app.test_client()
        barrier.wait(timeout=10)
        answers[index] = client.open(path, method=method, headers=person.headers, json=body)

    threads = [threading.Thread(target=send, args=(index, *request)) for index, request in enumerate(requests_to_send)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.parametrize("change", ["demote", "leave"])
def test_two_owners_stepping_down_at_once_leave_one_owner(app, client, household, sql, change):
    owner, editor = household.owner, household.editor
    for _ in range(5):
        sql.execute("UPDATE ledger_members SET role = 'owner' WHERE ledger_id = :l AND user_id = :u",
                    l=household.ledger_id, u=editor.id)
        if change == "demote":  # each demotes the other
            answers = _at_once(app, (owner, "PATCH", household.path(f"/members/{editor.id}"), {"role": "editor"}),
                               (editor, "PATCH", household.path(f"/members/{owner.id}"), {"role": "editor"}))
        else:  # both leave
            answers = _at_once(app, (owner, "DELETE", household.path(f"/members/{owner.id}"), None),
                               (editor, "DELETE", household.path(f"/members/{editor.id}"), None))

        statuses = sorted(a.status_code for a in answers)
        # The loser is refused by the last-owner check (409), or, when the winner committed before its request
        # was authenticated, by its new role (403) or its ended membership (404); never 5xx.
        assert statuses[0] in (200, 204) and statuses[1] in (403, 404, 409), \
            [a.get_data(as_text=True) for a in answers]
        owners = [u for u, role in members_of(sql, household.ledger_id).items() if role == "owner"]
        assert len(owners) == 1, members_of(sql, household.ledger_id)
        if change == "leave":  # the one who left comes back for the next round
            gone = ({owner.id, editor.id} - set(members_of(sql, household.ledger_id))).pop()
            sql.execute("INSERT INTO ledger_members (ledger_id, user_id, role, joined_at) "
                        "SELECT :l, :u, 'owner', joined_at FROM ledger_members WHERE ledger_id = :l AND user_id = :o",
                        l=household.ledger_id, u=gone, o=owners[0])
            sql.execute("UPDATE users SET default_ledger_id = :l WHERE id = :u", l=household.ledger_id, u=gone)



def test_two_owners_deleting_their_accounts_at_once_leave_an_owner(app, household, sql, make_user, log_in, join):
    """The ledger passes to the longest-standing member left, even when both owners go at the same moment."""
    viewer = household.viewer
    sql.execute("DELETE FROM ledger_members WHERE ledger_id = :l AND user_id = :u", l=household.ledger_id,
                u=household.editor.id)
    owners = [household.owner]
    for _ in range(3):
        owners.append(log_in(make_user()))
        join(owners[-1].user, household.ledger_id, "owner")

        answers = _at_once(app, *((person, "DELETE", "/api/v1/me", {"password": person.user.password})
                                  for person in owners))

        assert [a.status_code for a in answers] == [204, 204]
        assert members_of(sql, household.ledger_id) == {viewer.id: "owner"}
        # the viewer steps back; two new owners for the next round
        sql.execute("UPDATE ledger_members SET role = 'viewer' WHERE user_id = :u", u=viewer.id)
        owners = [log_in(make_user())]
        join(owners[0].user, household.ledger_id, "owner")
