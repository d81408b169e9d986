"""Passkeys through the API with a software authenticator (issue 18): registration, sign-in alone, the second
step, step-up, counters, and the refusals."""
from __future__ import annotations

import pytest

from tests.auth.helpers import LOGIN, SESSIONS, bearer
from tests.auth.mfa_support import LOGIN_MFA, MFA, STEP_UP, TOTP, Clock, enrol
from tests.auth.soft_authenticator import SoftPasskey, b64u
from tests.conftest import AuthActions

PASSKEYS = "/api/v1/auth/passkeys"
PASSKEY_LOGIN = "/api/v1/auth/login/passkey"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def register(client, headers, passkey: SoftPasskey, name: str = "Laptop"):
    options = client.post(PASSKEYS + "/options", headers=headers)
    assert options.status_code == 200, options.get_json()
    body = options.get_json()
    assert body["options"]["authenticatorSelection"]["residentKey"] == "required"
    assert body["options"]["authenticatorSelection"]["userVerification"] == "required"
    return client.post(PASSKEYS, json={"challenge": body["challenge"], "name": name,
                                       "credential": passkey.create(body["options"])}, headers=headers)


def test_register_list_sign_in_alone_and_counters(client, logged_in, user, sql, clock):
    passkey = SoftPasskey()
    created = register(client, logged_in.headers, passkey)
    assert created.status_code == 201, created.get_json()
    view = created.get_json()
    assert view["name"] == "Laptop" and view["last_used_at"] is None and view["transports"] == ["internal"]
    assert sql.count("webauthn_credentials", "user_id = :u AND sign_count = 0", u=user.id) == 1
    assert client.get(PASSKEYS, headers=logged_in.headers).get_json()["items"][0]["id"] == view["id"]
    # the password alone no longer signs in
    step_one = client.post(LOGIN, json={"email": user.email, "password": user.password}).get_json()
    assert step_one["mfa_required"] is True and step_one["methods"] == ["passkey"]
    assert [c["id"] for c in step_one["passkey_options"]["allowCredentials"]] == [b64u(passkey.credential_id)]
    assert step_one["passkey_options"]["userVerification"] == "required"
    # the passkey alone
    options = client.post(PASSKEY_LOGIN + "/options").get_json()
    assert options["options"]["allowCredentials"] == [] and options["options"]["userVerification"] == "required"
    done = client.post(PASSKEY_LOGIN, json={"challenge": options["challenge"],
                                            "credential": passkey.get(options["options"])})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["user"]["id"] == user.id
    listed = client.get(SESSIONS, headers=bearer(done.get_json()["access_token"])).get_json()["items"]
    assert [s["factor"] for s in listed if s["current"]] == ["passkey"]
    assert sql.count("webauthn_credentials", "sign_count = 1 AND last_used_at IS NOT NULL") == 1
    # the same challenge again: used
    again = client.post(PASSKEY_LOGIN, json={"challenge": options["challenge"],
                                             "credential": passkey.get(options["options"])})
    assert again.status_code == 401 and again.get_json()["code"] == "challenge_used"


def test_a_passkey_as_the_second_step(client, logged_in, user):
    passkey = SoftPasskey()
    assert register(client, logged_in.headers, passkey).status_code == 201
    step_one = client.post(LOGIN, json={"email": user.email, "password": user.password}).get_json()
    done = client.post(LOGIN_MFA, json={"challenge": step_one["challenge"],
                                        "credential": passkey.get(step_one["passkey_options"])})
    assert done.status_code == 200, done.get_json()
    assert "access_token" in done.get_json()


def test_another_users_passkey_cannot_finish_a_login(client, make_user):
    alice, bob = make_user(), make_user()
    keys = {}
    for person in (alice, bob):
        auth = AuthActions(client)
        auth.login(person)
        keys[person.id] = SoftPasskey()
        assert register(client, auth.headers, keys[person.id]).status_code == 201
    step_one = client.post(LOGIN, json={"email": alice.email, "password": alice.password}).get_json()
    refused = client.post(LOGIN_MFA, json={"challenge": step_one["challenge"],
                                           "credential": keys[bob.id].get(step_one["passkey_options"])})
    assert refused.status_code == 401 and refused.get_json()["code"] == "passkey_failed"


def test_user_verification_is_required(client, logged_in):
    passkey = SoftPasskey()
    assert register(client, logged_in.headers, passkey).status_code == 201
    options = client.post(PASSKEY_LOGIN + "/options").get_json()
    refused = client.post(PASSKEY_LOGIN, json={"challenge": options["challenge"],
                                               "credential": passkey.get(options["options"], verified=False)})
    assert refused.status_code == 401 and refused.get_json()["code"] == "passkey_failed"


def test_a_sign_count_that_goes_back_is_refused(client, logged_in, sql):
    passkey = SoftPasskey()
    assert register(client, logged_in.headers, passkey).status_code == 201
    sql.execute("UPDATE webauthn_credentials SET sign_count = 50")
    options = client.post(PASSKEY_LOGIN + "/options").get_json()
    refused = client.post(PASSKEY_LOGIN, json={"challenge": options["challenge"],
                                               "credential": passkey.get(options["options"])})
    assert refused.status_code == 401 and refused.get_json()["code"] == "passkey_failed"


def test_a_made_up_credential_is_422_and_a_wrong_challenge_401(client, logged_in, sql):
    options = client.post(PASSKEYS + "/options", headers=logged_in.headers).get_json()
    bad = client.post(PASSKEYS, json={"challenge": options["challenge"], "name": "x",
                                      "credential": {"id": "abc", "response": {}}}, headers=logged_in.headers)
    assert bad.status_code == 422 and bad.get_json()["code"] == "passkey_failed"
    assert sql.count("webauthn_credentials") == 0
    wrong = client.post(PASSKEYS, json={"challenge": "nope", "name": "x", "credential": {}}, headers=logged_in.headers)
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_challenge"
    # a passkey sign-in challenge is not a login's second step
    sign_in = client.post(PASSKEY_LOGIN + "/options").get_json()
    crossed = client.post(LOGIN_MFA, json={"challenge": sign_in["challenge"], "code": "123456"})
    assert crossed.status_code == 401 and crossed.get_json()["code"] == "invalid_challenge"


def test_step_up_rename_and_remove(client, logged_in, user, sql, clock):
    passkey = SoftPasskey()
    view = register(client, logged_in.headers, passkey).get_json()
    renamed = client.patch(f"{PASSKEYS}/{view['id']}", json={"name": "Phone"}, headers=logged_in.headers)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Phone"
    clock.advance(301)  # registering was a proof; now it is too old
    refused = client.delete(f"{PASSKEYS}/{view['id']}", headers=logged_in.headers)
    assert refused.status_code == 403 and refused.get_json()["code"] == "step_up_required"
    assert client.post(TOTP, headers=logged_in.headers).get_json()["code"] == "step_up_required"
    second = SoftPasskey()
    assert client.post(PASSKEYS + "/options", headers=logged_in.headers).get_json()["code"] == "step_up_required"
    options = client.post(STEP_UP + "/options", headers=logged_in.headers).get_json()
    proved = client.post(STEP_UP, json={"challenge": options["challenge"],
                                        "credential": passkey.get(options["options"])}, headers=logged_in.headers)
    assert proved.status_code == 200, proved.get_json()
    assert register(client, logged_in.headers, second, "Backup").status_code == 201
    assert client.get(MFA, headers=logged_in.headers).get_json()["passkeys"] == 2
    assert client.delete(f"{PASSKEYS}/{view['id']}", headers=logged_in.headers).status_code == 204
    assert client.delete(f"{PASSKEYS}/{view['id']}", headers=logged_in.headers).get_json()["code"] == "not_found"
    assert sql.count("webauthn_credentials") == 1


def test_a_step_up_challenge_of_another_session_is_refused(client, user, clock):
    first, second = AuthActions(client), AuthActions(client)
    first.login(user)
    passkey = SoftPasskey()
    assert register(client, first.headers, passkey).status_code == 201
    second_login = client.post(LOGIN, json={"email": user.email, "password": user.password}).get_json()
    second.access_token = client.post(LOGIN_MFA, json={
        "challenge": second_login["challenge"],
        "credential": passkey.get(second_login["passkey_options"])}).get_json()["access_token"]
    options = client.post(STEP_UP + "/options", headers=first.headers).get_json()
    crossed = client.post(STEP_UP, json={"challenge": options["challenge"],
                                         "credential": passkey.get(options["options"])}, headers=second.headers)
    assert crossed.status_code == 401 and crossed.get_json()["code"] == "invalid_challenge"


def test_totp_and_passkey_together(client, logged_in, user, clock):
    enrol(client, logged_in.headers, clock)
    passkey = SoftPasskey()
    assert register(client, logged_in.headers, passkey).status_code == 201  # the enrolment was the proof
    step_one = client.post(LOGIN, json={"email": user.email, "password": user.password}).get_json()
    assert step_one["methods"] == ["totp", "recovery", "passkey"]
    done = client.post(LOGIN_MFA, json={"challenge": step_one["challenge"],
                                        "credential": passkey.get(step_one["passkey_options"])})
    assert done.status_code == 200
