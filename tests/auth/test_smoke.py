"""The first flow, end to end: register, login, /me, refresh, logout."""
from tests.conftest import assert_problem


def test_register_login_me_logout(client, auth, make_user, sql):
    response = client.post("/api/v1/auth/register",
                           json={"email": "Ann@Example.com", "password": "a long enough password 1"})
    assert response.status_code == 201
    assert response.get_json()["email"] == "ann@example.com"
    user = type("U", (), {"email": "ann@example.com", "password": "a long enough password 1"})
    auth.login(user)
    me = client.get("/api/v1/me", headers=auth.headers)
    assert me.status_code == 200 and me.get_json()["email"] == "ann@example.com"
    assert client.post("/api/v1/auth/logout", headers=auth.headers).status_code == 204
    assert sql.scalar("SELECT token_version FROM users WHERE email = 'ann@example.com'") == 1
    assert_problem(client.get("/api/v1/me", headers=auth.headers), 401, "token_revoked")

