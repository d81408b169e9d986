"""A token is bound to the one user and session it was issued for, for life (API.md §2).

SQLite hands a freed INTEGER PRIMARY KEY out again; PostgreSQL does not, but restores and hand-made rows
can. So each scenario is played on both databases with rows that carry exactly the old ids: on SQLite the
API produces them by itself (asserted), elsewhere they are inserted by hand.
"""
from __future__ import annotations

from datetime import timedelta

from ledger.auth.models import Session, User
from ledger.extensions import db
from tests.auth.helpers import ME, REFRESH, SESSIONS, bearer, claims_of, now
from tests.conftest import PASSWORD, assert_problem, login_body


def _occupy(app, user_id: int, session_id: int) -> None:
    """Make sure a live user and session with exactly these ids exist (what a restore or an admin could do)."""
    with app.app_context():
        if db.session.get(User, user_id) is None:
            db.session.add(User(id=user_id, email=f"hand-made-{user_id}@example.com", password_hash="x",
                                display_name="hand-made"))
            db.session.flush()
        if db.session.get(Session, session_id) is None:
            db.session.add(Session(id=session_id, user_id=user_id, expires_at=now() + timedelta(days=1)))
        db.session.commit()


def _refresh_with(client, refresh_token: str):
    client.set_cookie("refresh_token", refresh_token, path="/api/v1/auth")
    csrf = claims_of(refresh_token)["csrf"]
    client.set_cookie("csrf_refresh_token", csrf, path="/")
    return client.post(REFRESH, headers={"X-CSRF-TOKEN": csrf})


def test_a_deleted_users_tokens_do_not_authenticate_the_next_user_with_the_same_ids(app, client, make_user,
                                                                                     backend, sql):
    alice = make_user()
    body = login_body(client, alice)
    access, refresh = body["access_token"], client.get_cookie("refresh_token", path="/api/v1/auth").value
    old = claims_of(access)
    assert client.delete(ME, json={"password": PASSWORD}, headers=bearer(access)).status_code == 204

    bob = make_user()
    bob_client = app.test_client()
    bob_access = login_body(bob_client, bob)["access_token"]
    if backend == "sqlite":  # the reported attack, as the API alone produces it
        assert (bob.id, claims_of(bob_access)["sid"], claims_of(bob_access)["ver"]) == \
            (int(old["sub"]), old["sid"], old["ver"])
    _occupy(app, int(old["sub"]), old["sid"])

    assert_problem(client.get(ME, headers=bearer(access)), 401, "token_revoked")
    assert_problem(_refresh_with(app.test_client(), refresh), 401, "token_revoked")
    assert bob_client.get(ME, headers=bearer(bob_access)).get_json()["email"] == bob.email
    assert sql.count("refresh_tokens", "used_at IS NOT NULL") == 0  # nothing of bob's was rotated


def test_an_ended_session_recreated_with_the_same_id_does_not_revive_its_tokens(app, client, user, sql):
    body = login_body(client, user)
    access, refresh = body["access_token"], client.get_cookie("refresh_token", path="/api/v1/auth").value
    session_id = claims_of(access)["sid"]
    assert client.delete(f"{SESSIONS}/current", headers=bearer(access)).status_code == 204
    # The row goes (a purge, a restore); a new live session of the same user gets the same id.
    sql.execute("DELETE FROM sessions WHERE id = :s", s=session_id)
    _occupy(app, user.id, session_id)
    assert sql.scalar("SELECT token_version FROM users WHERE id = :u", u=user.id) == claims_of(access)["ver"]

    assert_problem(client.get(ME, headers=bearer(access)), 401, "token_revoked")
    assert_problem(_refresh_with(app.test_client(), refresh), 401, "token_revoked")


def test_a_token_whose_session_nonce_is_altered_is_refused(client, user, forge):
    claims = claims_of(login_body(client, user)["access_token"])

    response = client.get(ME, headers=bearer(forge(dict(claims, sn="0" * 32))))

    assert_problem(response, 401, "token_revoked")


def test_every_session_gets_its_own_random_nonce(client, user, sql):
    for _ in range(3):
        login_body(client, user)

    nonces = [row[0] for row in sql.rows("SELECT nonce FROM sessions")]
    assert len(set(nonces)) == 3 and all(len(n) == 32 and int(n, 16) >= 0 for n in nonces)
