"""Invitations: POST/GET/DELETE /api/v1/ledgers/{id}/invites, GET /api/v1/invites/{token} and .../accept."""
import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from ledger.database import utcnow
from ledger.extensions import db
from ledger.ledgers.models import LedgerInvite
from tests.conftest import assert_problem
from tests.ledgers.conftest import members_of

INVITES = "/api/v1/invites"


@pytest.fixture
def invite(client, household):
    """invite(role="editor") → the token of a new invitation to the household."""

    def factory(role: str = "editor") -> str:
        response = client.post(household.path("/invites"), headers=household.owner.headers, json={"role": role})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["token"]

    return factory


def test_create_shows_the_token_once_and_stores_only_its_hash(client, household, sql):
    response = client.post(household.path("/invites"), headers=household.owner.headers, json={"role": "viewer"})

    assert response.status_code == 201
    body = response.get_json()
    assert (body["role"], body["created_by"]) == ("viewer", household.owner.id)
    token = body["token"]
    assert len(token) >= 43
    rows = sql.rows("SELECT id, token_hash, role FROM ledger_invites WHERE ledger_id = :l", l=household.ledger_id)
    assert rows == [(body["id"], hashlib.sha256(token.encode()).hexdigest(), "viewer")]
    stored = " ".join(str(v) for row in sql.rows("SELECT * FROM ledger_invites") for v in row)
    assert token not in stored
    listed = client.get(household.path("/invites"), headers=household.owner.headers).get_json()["items"]
    assert [i["id"] for i in listed] == [body["id"]] and "token" not in listed[0]


def test_the_role_defaults_to_editor(client, household):
    response = client.post(household.path("/invites"), headers=household.owner.headers)

    assert response.status_code == 201 and response.get_json()["role"] == "editor"


def test_only_owners_create_list_and_revoke_invites(client, household, invite, sql):
    token = invite()
    invite_id = sql.scalar("SELECT id FROM ledger_invites")
    for person in (household.editor, household.viewer):
        assert_problem(client.post(household.path("/invites"), headers=person.headers, json={}),
                       403, "forbidden_role")
        assert_problem(client.get(household.path("/invites"), headers=person.headers), 403, "forbidden_role")
        assert_problem(client.delete(household.path(f"/invites/{invite_id}"), headers=person.headers),
                       403, "forbidden_role")
    assert sql.count("ledger_invites") == 1
    assert client.get(f"{INVITES}/{token}").status_code == 200  # still open


def test_info_needs_no_sign_in(client, household, invite):
    token = invite("viewer")

    response = client.get(f"{INVITES}/{token}")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["ledger_name"], body["inviter"], body["role"]) == ("Ann's ledger", "Ann", "viewer")
    assert body["expires_at"]


def test_accept_makes_a_member_with_the_role_and_uses_the_invite(client, household, invite, sql):
    token = invite("viewer")
    outsider = household.outsider

    response = client.post(f"{INVITES}/{token}/accept", headers=outsider.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["role"], body["member_count"]) == (household.ledger_id, "viewer", 4)
    assert members_of(sql, household.ledger_id)[outsider.id] == "viewer"
    assert sql.rows("SELECT used_by, used_at IS NOT NULL FROM ledger_invites") == [(outsider.id, True)]
    assert client.get(household.path("/entries"), headers=outsider.headers).status_code == 200
    assert_problem(client.post(household.path("/accounts"), headers=outsider.headers,
                               json={"name": "X", "type": "bank"}), 403, "forbidden_role")


def test_accepting_needs_a_sign_in(client, household, invite, sql):
    assert_problem(client.post(f"{INVITES}/{invite()}/accept"), 401, "authorization_required")
    assert sql.scalar("SELECT used_at FROM ledger_invites") is None


def _expire(sql):
    """Move every invitation's expiry a second into the past (through the model's UTC timestamp type)."""
    with sql.app.app_context():
        db.session.execute(update(LedgerInvite).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


@pytest.mark.parametrize("state, status, code", [
    ("expired", 410, "invite_expired"), ("used", 410, "invite_used"), ("revoked", 410, "invite_revoked"),
    ("unknown", 404, "invite_not_found")])
def test_a_closed_or_unknown_invite_is_refused(client, household, invite, make_user, log_in, sql,
                                               state, status, code):
    token = invite()
    if state == "expired":
        _expire(sql)
    elif state == "used":
        assert client.post(f"{INVITES}/{token}/accept", headers=log_in(make_user()).headers).status_code == 200
    elif state == "revoked":
        invite_id = sql.scalar("SELECT id FROM ledger_invites")
        assert client.delete(household.path(f"/invites/{invite_id}"),
                             headers=household.owner.headers).status_code == 204
    else:
        token = token[:-4] + "AAAA"
    before = members_of(sql, household.ledger_id)
    stored = sql.rows("SELECT used_at, used_by, revoked_at FROM ledger_invites")

    assert_problem(client.get(f"{INVITES}/{token}"), status, code)
    assert_problem(client.post(f"{INVITES}/{token}/accept", headers=household.outsider.headers), status, code)

    assert members_of(sql, household.ledger_id) == before
    assert sql.rows("SELECT used_at, used_by, revoked_at FROM ledger_invites") == stored
    if state != "used":
        assert household.outsider.id not in before


def test_an_expired_invite_is_no_longer_listed(client, household, invite, sql):
    invite()
    _expire(sql)
    assert client.get(household.path("/invites"), headers=household.owner.headers).get_json()["items"] == []


def test_accepting_your_own_ledgers_invite_is_409(client, household, invite, sql):
    token = invite("owner")
    for person in (household.owner, household.viewer):
        assert_problem(client.post(f"{INVITES}/{token}/accept", headers=person.headers), 409, "already_member")
    assert members_of(sql, household.ledger_id)[household.viewer.id] == "viewer"  # not promoted
    assert sql.scalar("SELECT used_at FROM ledger_invites") is None  # still usable by someone else


def test_two_users_accepting_one_invite_make_one_membership(app, household, invite, make_user, log_in, sql):
    token = invite()
    people = [log_in(make_user()) for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def accept(person):
        client = app.test_client()
        barrier.wait(timeout=10)
        statuses.append(client.post(f"{INVITES}/{token}/accept", headers=person.headers).status_code)

    threads = [threading.Thread(target=accept, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(statuses) == [200, 410]
    joined = [p.id for p in people if p.id in members_of(sql, household.ledger_id)]
    assert len(joined) == 1
    assert sql.rows("SELECT used_by FROM ledger_invites") == [(joined[0],)]


def test_invite_lookups_are_rate_limited(app, make_app, household, invite):
    token = invite()
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_INVITE="3 per minute").test_client()
    for index in range(3):
        assert_problem(limited.get(f"{INVITES}/guess{index}"), 404, "invite_not_found")

    response = limited.get(f"{INVITES}/{token}")  # even the right token, once the guesses are used up

    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_invite_acceptances_are_rate_limited(app, make_app, household, invite, sql):
    token = invite()
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_INVITE="3 per minute").test_client()
    outsider = household.outsider
    for index in range(3):
        assert_problem(limited.post(f"{INVITES}/guess{index}/accept", headers=outsider.headers),
                       404, "invite_not_found")

    assert_problem(limited.post(f"{INVITES}/{token}/accept", headers=outsider.headers), 429, "rate_limited")

    assert outsider.id not in members_of(sql, household.ledger_id)
    assert sql.scalar("SELECT used_at FROM ledger_invites") is None
