"""Register, sign in, reload: the session survives, and no token is within reach of page scripts (issue 8)."""
from __future__ import annotations

import json
import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import new_email, sign_in, sign_up


def test_register_sign_in_reload_stays_signed_in(page):
    sign_up(page, new_email())
    expect(page.get_by_role("navigation")).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()

    page.reload()

    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert "/login" not in page.url


def test_a_signed_out_visit_goes_to_login_and_back_after_sign_in(page, server):
    email, password = server.register()

    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    sign_in(page, email, password)

    expect(page).to_have_url(re.compile(r"/settings$"))


def test_no_token_is_readable_by_page_scripts(page, context, server):
    email, password = server.register()
    page.goto("/login")
    sign_in(page, email, password)
    page.reload()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    readable = page.evaluate("""async () => {
        const dump = (storage) => Object.keys(storage).map((k) => k + "=" + storage.getItem(k)).join("\\n");
        const databases = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
        return {local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie,
                databases: databases.join(",")};
    }""")

    for where, value in readable.items():
        assert "eyJ" not in value, (where, value)
    # IndexedDB holds at most the offline copy of the ledger (issue 17), and never a token in it.
    assert set(filter(None, readable["databases"].split(","))) <= {"ledger-offline"}, readable["databases"]
    from tests.browser.test_offline import DUMP_IDB

    kept = json.dumps(page.evaluate(DUMP_IDB))
    assert "access_token" not in kept and "refresh" not in kept and not re.search(r"eyJ[\w-]+\.", kept), kept[:500]
    state = context.storage_state()
    for origin in state["origins"]:
        for item in origin.get("localStorage", []):
            assert "eyJ" not in item["value"], item


def test_the_refresh_cookie_is_httponly_and_samesite_strict(page, context, server):
    email, password = server.register()
    page.goto("/login")
    sign_in(page, email, password)

    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    refresh = [c for name, c in cookies.items() if name.endswith("refresh_token") and "csrf" not in name]

    assert len(refresh) == 1, sorted(cookies)
    assert refresh[0]["httpOnly"] is True
    assert refresh[0]["sameSite"] == "Strict"
    assert refresh[0]["path"] == "/api/v1/auth"
    for cookie in cookies.values():  # whatever page scripts can read is no JWT
        if not cookie["httpOnly"]:
            assert not cookie["value"].startswith("eyJ"), cookie


def test_the_harness_counts_rotations_from_the_log_and_the_table(server):
    """Not the SPA: the helpers the multi-tab tests count with, checked against the API directly."""
    email, password = server.register()
    client = requests.Session()
    mark = server.mark()
    assert server.api("POST", "/api/v1/auth/login", session=client,
                      json={"email": email, "password": password}).ok
    csrf = next(c.value for c in client.cookies if c.name == "csrf_refresh_token")

    refreshed = server.api("POST", "/api/v1/auth/refresh", session=client, headers={"X-CSRF-TOKEN": csrf})

    assert refreshed.status_code == 200, refreshed.text
    assert server.rotations(email) == 1
    assert len(server.refresh_tokens(email)) == 2
    assert [e["event"] for e in server.events("refresh", since=mark)] == ["refresh"], server.log_tail()
    assert server.events("reuse_detected", "refresh_grace", since=mark) == []
