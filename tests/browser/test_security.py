"""Settings → Security and the sign-in's second step in Chromium (issue 18): TOTP enrolment with the key shown,
the second step with a code and with a recovery code; passkeys end to end with Chromium's virtual authenticator
(the DevTools WebAuthn domain through Playwright's CDP session): register, sign in with the passkey alone, use it
as the second factor, remove it. English and Korean, 360 px, axe clean."""
from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_household import PHONE, axe_clean, no_sideways_scroll

SHOTS = "/tmp/mfa-shots"


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def _password_step(page, email: str, password: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()


def test_totp_enrolment_second_step_and_recovery_code(new_context, server):
    email, password = server.register()
    context = new_context(**PHONE)
    page = context.new_page()
    page.goto("/login")
    sign_in(page, email, password)
    page.goto("/settings")
    page.get_by_role("link", name="Two-step sign-in, recovery codes and passkeys").click()
    expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("code.manual-key").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    no_sideways_scroll(page, "enrolment")
    axe_clean(page, "security: enrolment")
    page.screenshot(path=f"{SHOTS}/security-enrol-en.png", full_page=True)
    page.get_by_label("Code from the app", exact=True).fill(_code(secret))
    page.get_by_role("button", name="Turn on", exact=True).click()
    codes_list = page.get_by_role("list", name="Your recovery codes")
    expect(codes_list).to_be_visible()
    codes = [c.strip() for c in codes_list.get_by_role("listitem").all_inner_texts()]
    assert len(codes) == 10
    expect(page.get_by_text("On: signing in also asks for a code")).to_be_visible()
    expect(page.get_by_role("link", name="Download codes")).to_have_attribute("download", "ledger-recovery-codes.txt")
    axe_clean(page, "security: codes")
    page.screenshot(path=f"{SHOTS}/security-on-en.png", full_page=True)

    # the second step with the app's code (the next step's: the confirming one is used)
    _sign_out(page)
    _password_step(page, email, password)
    axe_clean(page, "second step")
    no_sideways_scroll(page, "second step")
    page.screenshot(path=f"{SHOTS}/second-step-en.png", full_page=True)
    page.get_by_label("Code from the app", exact=True).fill(_code(secret, 1))
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    # a recovery code; a used one is refused
    _sign_out(page)
    _password_step(page, email, password)
    page.get_by_role("button", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    _sign_out(page)
    _password_step(page, email, password)
    page.get_by_role("button", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("wrong or was already used")

    # Korean
    page.get_by_label("Recovery code", exact=True).fill(codes[1])
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.goto("/settings")
    page.get_by_role("combobox", name="Language").select_option("ko")
    page.goto("/settings/security")
    expect(page.get_by_role("heading", name="보안", exact=True)).to_be_visible()
    expect(page.get_by_text("사용하지 않은 복구 코드 8개가 남았습니다.")).to_be_visible()
    axe_clean(page, "security (ko)")
    no_sideways_scroll(page, "security (ko)")
    page.screenshot(path=f"{SHOTS}/security-ko.png", full_page=True)


def test_passkeys_register_sign_in_alone_as_second_factor_and_remove(browser, server, console_errors):
    email, password = server.register()
    # WebAuthn needs a domain (an IP address cannot be a relying party id): localhost is a secure context.
    context = browser.new_context(base_url=server.base_url.replace("127.0.0.1", "localhost"), locale="en-US",
                                  **PHONE)
    context.set_default_timeout(10_000)
    context.on("page", console_errors.watch)
    try:
        _passkeys(context, server, email, password)
    finally:
        context.close()


def _passkeys(context, server, email: str, password: str) -> None:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
    page.goto("/login")
    sign_in(page, email, password)
    page.goto("/settings/security")
    page.get_by_label("Passkey name", exact=True).fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status").filter(has_text="Passkey added.")).to_be_visible()
    expect(page.get_by_text("Work laptop")).to_be_visible()
    expect(page.get_by_text("Not used yet")).to_be_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"] is True
    rows = server.sql("SELECT name, sign_count, transports FROM webauthn_credentials")
    assert [r[0] for r in rows] == ["Work laptop"]
    axe_clean(page, "security: passkey")
    page.screenshot(path=f"{SHOTS}/security-passkey-en.png", full_page=True)

    # the passkey alone
    _sign_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    factors = server.sql("SELECT factor FROM sessions WHERE revoked_at IS NULL ORDER BY id")
    assert factors[-1][0] == "passkey"

    # the passkey as the second step of a password sign-in
    _sign_out(page)
    _password_step(page, email, password)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.goto("/settings/security")
    expect(page.get_by_text(re.compile("^Last used"))).to_be_visible()

    # remove it (the sign-in just proved the factor: no step-up needed yet)
    page.get_by_role("button", name="Remove passkey Work laptop").click()
    expect(page.get_by_role("status").filter(has_text="Passkey removed.")).to_be_visible()
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    assert server.sql("SELECT COUNT(*) FROM webauthn_credentials")[0][0] == 0
    _sign_out(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()  # one step again
