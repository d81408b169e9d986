"""Many tabs behave as one person; devices are independent (issue 8, docs/UI.md "Behaviour a person relies on").

Two pages of one browser context are two tabs (shared cookies, BroadcastChannel, Web Locks); a second context
is a second device. Token lifetimes are short on the server, never faked in the page.
"""
from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import new_email, sign_in, sign_up

NO_LOCKS = "Object.defineProperty(navigator, 'locks', {value: undefined, configurable: true})"
SIGNED_OUT = re.compile(r"signed out", re.IGNORECASE)


def _signed_in(page) -> None:
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def _on_login_saying_signed_out(page, timeout: float = 10_000) -> None:
    expect(page).to_have_url(re.compile(r"/login(\?|$)"), timeout=timeout)
    message = page.get_by_role("alert").or_(page.get_by_role("status")).filter(has_text=SIGNED_OUT)
    expect(message.first).to_be_visible(timeout=timeout)


def _bearer_tokens(page) -> list[str]:
    """The access tokens the page sends, as the network sees them (page scripts cannot read them)."""
    seen: list[str] = []

    def record(request) -> None:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            seen.append(header[7:])

    page.on("request", record)
    return seen


def _set_visible(page, visible: bool) -> None:
    """What switching to another window and back does to a tab: `visibilityState` and its event.

    Headless Chromium keeps every page "visible", so the state is set on the page's document."""
    page.evaluate("""(visible) => {
        Object.defineProperty(document, "visibilityState", {configurable: true,
                                                            get: () => (visible ? "visible" : "hidden")});
        document.dispatchEvent(new Event("visibilitychange"));
    }""", visible)


def _open_together(pages, url: str) -> None:
    """Navigate every page at once (no page waits for another), then wait until each is signed in."""
    for page in pages:
        page.evaluate(f"location.assign({url!r})")
    for page in pages:
        page.wait_for_load_state()
        _signed_in(page)


@pytest.mark.parametrize("locks", [True, False], ids=["web-locks", "no-web-locks"])
def test_two_tabs_starting_at_once_share_one_rotation_and_no_reuse(new_context, make_server, locks):
    server = make_server(ACCESS_TOKEN_TTL="30")  # no proactive refresh within the test
    context = new_context(on=server)
    if not locks:
        context.add_init_script(NO_LOCKS)
    email = new_email()
    first = context.new_page()
    sign_up(first, email)
    tabs = [context.new_page(), context.new_page()]  # blank: nothing of the app runs in them yet
    # Each refresh takes half a second longer on the network, so the two start-ups overlap for certain
    # (on a busy machine one tab may otherwise finish before the other one's script even runs).
    context.route("**/api/v1/auth/refresh", lambda route: (time.sleep(0.5), route.continue_()))
    before = server.rotations(email)
    mark = server.mark()

    _open_together(tabs, server.url("/"))  # neither tab has an access token: both must get one now

    assert not server.events("reuse_detected", since=mark), server.log_tail()
    refreshed = server.events("refresh", since=mark)
    grace = server.events("refresh_grace", since=mark)
    assert server.rotations(email) - before == len(refreshed) == 1, (refreshed, grace)  # exactly one rotation
    if locks:  # the second tab adopted the first one's result inside the lock
        assert grace == [], grace
    # without locks the second tab either heard the first one's message in time, or refreshed with the
    # spent token and the server's grace window answered it without rotating again
    assert len(grace) <= 1, grace
    for tab in [first, *tabs]:
        _signed_in(tab)


@pytest.mark.parametrize("locks", [True, False], ids=["web-locks", "no-web-locks"])
def test_tabs_whose_tokens_expired_meanwhile_stay_signed_in_without_reuse(new_context, make_server, locks,
                                                                          console_errors):
    """Both tabs are hidden (no proactive refresh) while their access tokens expire on the server, then come
    back and act at the same moment: they refresh together, and nobody is signed out."""
    console_errors.allow(r"401 .*/api/v1/(?!auth/)")  # token_expired answers, each refreshed and retried once
    server = make_server(ACCESS_TOKEN_TTL="2")
    context = new_context(on=server)
    if not locks:
        context.add_init_script(NO_LOCKS)
    email = new_email()
    tab_a = context.new_page()
    sign_up(tab_a, email)
    tab_b = context.new_page()
    tab_b.goto("/")
    _signed_in(tab_b)
    for tab in (tab_a, tab_b):
        _set_visible(tab, False)  # the person switched to another window: no proactive refresh runs
    time.sleep(3)  # both access tokens expire on the server
    mark = server.mark()

    for tab in (tab_a, tab_b):
        _set_visible(tab, True)  # both come back at once, with expired tokens
    for tab in (tab_a, tab_b):
        tab.get_by_role("button", name="Next month").click(no_wait_after=True)
    for tab in (tab_a, tab_b):
        expect(tab.get_by_role("button", name="Previous month")).to_be_enabled()
        _signed_in(tab)

    deadline = time.monotonic() + 5  # the log line may land a moment after the page has drawn
    while not server.events("refresh", since=mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.events("refresh", since=mark), "the expired tokens were not refreshed:\n" + server.log_tail()
    assert not server.events("reuse_detected", since=mark), server.log_tail()
    assert server.sql("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE u.email = :e AND s.revoked_at IS NOT NULL", e=email)[0][0] == 0


def test_sign_out_in_one_tab_reaches_the_other_within_two_seconds_and_its_token_is_refused(context, server):
    email = new_email()
    tab_a = context.new_page()
    sign_up(tab_a, email)
    tab_b = context.new_page()
    tokens_b = _bearer_tokens(tab_b)
    tab_b.goto("/")
    _signed_in(tab_b)
    expect(tab_b.get_by_role("button", name="Next month")).to_be_visible()
    assert tokens_b, "tab B made no authenticated request"

    tab_a.bring_to_front()
    tab_a.get_by_role("button", name="Sign out", exact=True).click()
    clicked = time.monotonic()

    _on_login_saying_signed_out(tab_b, timeout=2_000)
    assert time.monotonic() - clicked < 2.5  # 2 s, plus the test's own polling
    refused = server.api("GET", "/api/v1/me", token=tokens_b[-1])
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"


def test_sign_out_everywhere_on_one_device_signs_the_other_out_on_its_next_request(new_context, server,
                                                                                  console_errors):
    console_errors.allow(r"401 .*/api/v1/")  # the signed-out device's next request is refused, as it must be
    email = new_email()
    laptop, phone = new_context().new_page(), new_context().new_page()
    sign_up(laptop, email)
    phone.goto("/login")
    sign_in(phone, email)

    laptop.goto("/settings")
    laptop.get_by_role("button", name="Sign out everywhere").click()
    _on_login_saying_signed_out(laptop)

    phone.get_by_role("link", name="Settings").click()  # its next request
    _on_login_saying_signed_out(phone)


def test_a_replayed_refresh_cookie_after_the_grace_window_ends_the_session_and_the_app_says_so(
        new_context, make_server, console_errors):
    server = make_server(ACCESS_TOKEN_TTL="30", REFRESH_REUSE_GRACE_SECONDS="1")
    console_errors.allow(r"401 .*/api/v1/")  # the app's requests after the theft are refused, as they must be
    context = new_context(on=server)
    page = context.new_page()
    email = new_email()
    sign_up(page, email)
    stolen = {c["name"]: c["value"] for c in context.cookies()}
    page.reload()  # the app rotates: the stolen refresh token is now spent
    _signed_in(page)
    time.sleep(1.5)  # past the grace window

    thief = requests.Session()
    thief.cookies.set("refresh_token", stolen["refresh_token"], path="/api/v1/auth")
    replay = server.api("POST", "/api/v1/auth/refresh", session=thief,
                        headers={"X-CSRF-TOKEN": stolen["csrf_refresh_token"]})
    assert replay.status_code == 401 and replay.json()["code"] == "refresh_token_reused", replay.text

    page.get_by_role("link", name="Settings").click()  # the app's next request, with its access token
    _on_login_saying_signed_out(page)
    assert server.events("reuse_detected", user_id=server.sql(
        "SELECT id FROM users WHERE email = :e", e=email)[0][0])


def test_settings_lists_both_devices_and_ending_the_other_one_signs_it_out(new_context, server, console_errors):
    console_errors.allow(r"401 .*/api/v1/")  # the ended device's next request is refused, as it must be
    email = new_email()
    laptop = new_context(user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                    "Chrome/131.0 Safari/537.36").new_page()
    phone = new_context(user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                                   "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1").new_page()
    sign_up(laptop, email)
    phone.goto("/login")
    sign_in(phone, email)

    laptop.goto("/settings")
    expect(laptop.get_by_text("This device", exact=True)).to_be_visible()
    other = laptop.get_by_role("button", name=re.compile(r"^Sign out (?!everywhere$).+"))
    expect(other).to_have_count(1)
    other.click()
    expect(laptop.get_by_role("status").filter(has_text="was signed out")).to_be_visible()
    expect(laptop.get_by_role("button", name=re.compile(r"^Sign out (?!everywhere$).+"))).to_have_count(0)

    phone.get_by_role("link", name="Settings").click()
    _on_login_saying_signed_out(phone)
    _signed_in(laptop)
