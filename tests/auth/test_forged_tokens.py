"""Access tokens that must not be accepted (signed with PyJWT directly), and where tokens may come from."""
import time
import warnings

import jwt as pyjwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from tests.auth.helpers import ME, REFRESH, bearer, claims_of, fresh_claims
from tests.conftest import assert_problem, login_body


@pytest.fixture
def genuine(client, logged_in) -> dict:
    """The claims of a genuine access token of a logged-in user."""
    return claims_of(logged_in.access_token)


def assert_invalid_token(response) -> dict:
    body = assert_problem(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    return body


def test_a_genuine_claim_set_signed_with_the_right_key_is_accepted(client, genuine, forge):
    # The control: the forging below changes one thing at a time, and this is what it starts from.
    response = client.get(ME, headers=bearer(forge(fresh_claims(genuine))))

    assert response.status_code == 200


def test_alg_none_is_invalid_token(client, genuine):
    token = pyjwt.encode(fresh_claims(genuine), None, algorithm="none")

    assert_invalid_token(client.get(ME, headers=bearer(token)))


def test_a_token_signed_with_another_key_is_invalid_token(client, genuine, forge):
    token = forge(fresh_claims(genuine), key="another-key-of-at-least-thirty-two-bytes!")

    assert_invalid_token(client.get(ME, headers=bearer(token)))


def test_a_token_signed_with_flasks_secret_key_is_invalid_token(client, genuine, forge, app):
    token = forge(fresh_claims(genuine), key=app.config["SECRET_KEY"])

    assert_invalid_token(client.get(ME, headers=bearer(token)))


def test_hs512_with_the_right_key_is_invalid_token(client, genuine, forge):
    with warnings.catch_warnings():  # PyJWT finds the 51-byte testing key short for SHA-512
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        token = forge(fresh_claims(genuine), algorithm="HS512")

    assert_invalid_token(client.get(ME, headers=bearer(token)))


@pytest.mark.parametrize(("claim", "value"), [
    ("ver", None), ("ver", "0"), ("ver", False), ("ver", 0.0), ("ver", [0]),
    ("sid", None), ("sid", "1"), ("sid", True),
    ("sn", None), ("sn", 1), ("sn", ""), ("sn", "abc"),
    ("sub", None), ("sub", 1), ("sub", "1x"), ("sub", "\u00b2"), ("sub", "\u0661"),
    ("type", "refresh"), ("type", "id"),
    ("iss", "someone-else"), ("iss", None),
    ("aud", "another-api"), ("aud", None),
    ("exp", None), ("iat", None), ("nbf", None), ("jti", None),
])
def test_a_token_with_a_missing_or_wrong_claim_is_invalid_token(client, genuine, forge, claim, value):
    token = forge(fresh_claims(genuine, **{claim: value}) if value is not None else _without(genuine, claim))

    assert_invalid_token(client.get(ME, headers=bearer(token)))


def _without(claims: dict, claim: str) -> dict:
    result = fresh_claims(claims)
    del result[claim]
    return result


def test_a_refresh_token_used_as_an_access_token_is_invalid_token(client, logged_in):
    refresh_token = client.get_cookie("refresh_token", path="/api/v1/auth").value

    assert_invalid_token(client.get(ME, headers=bearer(refresh_token)))


def test_an_access_token_sent_to_refresh_is_invalid_token(body_client, user, sql):
    access = login_body(body_client, user)["access_token"]

    assert_invalid_token(body_client.post(REFRESH, json={"refresh_token": access}))
    assert sql.count("refresh_tokens") == 1


def test_an_expired_access_token_is_token_expired(client, genuine, forge):
    issued = int(time.time()) - 3600
    token = forge(dict(genuine, iat=issued, nbf=issued, exp=issued + 900))

    response = client.get(ME, headers=bearer(token))

    assert_problem(response, 401, "token_expired")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_token_not_valid_before_a_future_time_is_invalid_token(client, genuine, forge):
    token = forge(fresh_claims(genuine, nbf=int(time.time()) + 3600))

    assert_invalid_token(client.get(ME, headers=bearer(token)))


def test_a_token_of_another_users_session_is_token_revoked(client, genuine, forge, make_user):
    other = make_user()

    # Right key and shape, but the session belongs to someone else: the one statement finds no row.
    token = forge(fresh_claims(genuine, sub=str(other.id)))

    assert_problem(client.get(ME, headers=bearer(token)), 401, "token_revoked")


def test_a_token_of_a_stale_version_is_token_revoked(client, genuine, forge):
    token = forge(fresh_claims(genuine, ver=genuine["ver"] + 1))

    assert_problem(client.get(ME, headers=bearer(token)), 401, "token_revoked")


@pytest.mark.parametrize("value", ["not-a-jwt", "a.b.c", "e30.e30.e30"])
def test_garbage_in_the_authorization_header_is_invalid_token(client, value):
    assert_invalid_token(client.get(ME, headers={"Authorization": f"Bearer {value}"}))


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer a b"])
def test_a_malformed_bearer_header_is_invalid_token(client, header):
    # Credentials were sent, but not a token: RFC 6750 calls that invalid, not missing.
    assert_invalid_token(client.get(ME, headers={"Authorization": header}))


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT"])
def test_another_authorization_scheme_is_authorization_required(client, logged_in, scheme):
    response = client.get(ME, headers={"Authorization": f"{scheme} {logged_in.access_token}"})

    assert_problem(response, 401, "authorization_required")


@pytest.mark.parametrize("parameter", ["access_token", "jwt", "token"])
def test_a_token_in_the_query_string_is_not_accepted(client, logged_in, parameter):
    response = client.get(ME, query_string={parameter: logged_in.access_token})

    assert_problem(response, 401, "authorization_required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ledger"'


def test_a_token_in_a_cookie_is_not_accepted(client, logged_in):
    client.set_cookie("access_token_cookie", logged_in.access_token)

    assert_problem(client.get(ME), 401, "authorization_required")


# --- forged refresh tokens (body transport) -------------------------------------------------------------------


@pytest.fixture
def genuine_refresh(body_client, user) -> dict:
    return claims_of(login_body(body_client, user)["refresh_token"])


def test_a_genuine_refresh_claim_set_signed_with_the_right_key_rotates(body_client, genuine_refresh, forge):
    response = body_client.post(REFRESH, json={"refresh_token": forge(dict(genuine_refresh))})

    assert response.status_code == 200


@pytest.mark.parametrize("key", ["another-key-of-at-least-thirty-two-bytes!", "SECRET_KEY"])
def test_a_refresh_token_signed_with_another_key_is_invalid_token(body_client, genuine_refresh, forge, app, sql,
                                                                   key):
    token = forge(dict(genuine_refresh), key=app.config.get(key, key))

    assert_invalid_token(body_client.post(REFRESH, json={"refresh_token": token}))
    assert sql.count("refresh_tokens", "used_at IS NOT NULL") == 0


def test_an_unsigned_refresh_token_is_invalid_token(body_client, genuine_refresh, sql):
    token = pyjwt.encode(dict(genuine_refresh), None, algorithm="none")

    assert_invalid_token(body_client.post(REFRESH, json={"refresh_token": token}))
    assert sql.count("refresh_tokens", "used_at IS NOT NULL") == 0


@pytest.mark.parametrize(("claim", "value"), [("ver", "0"), ("ver", True), ("sid", "1"), ("sub", 5)])
def test_a_refresh_token_with_a_malformed_claim_is_invalid_token(body_client, genuine_refresh, forge, sql, claim,
                                                                  value):
    token = forge(dict(genuine_refresh, **{claim: value}))

    assert_invalid_token(body_client.post(REFRESH, json={"refresh_token": token}))
    assert sql.count("refresh_tokens", "used_at IS NOT NULL") == 0


def test_a_refresh_token_with_an_unknown_jti_is_token_revoked(body_client, genuine_refresh, forge, sql):
    token = forge(dict(genuine_refresh, jti="0" * 32))

    assert_problem(body_client.post(REFRESH, json={"refresh_token": token}), 401, "token_revoked")
    assert sql.count("refresh_tokens") == 1
