"""The pages themselves: headers, no console errors, /docs, accessibility (API.md §4a, docs/UI.md)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ledger.spa import PAGE_CSP

SERIOUS = {"serious", "critical"}


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def assert_page_headers(response) -> None:
    assert response.status == 200
    assert response.headers["content-security-policy"] == PAGE_CSP
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/login", "/settings"])
def test_pages_carry_the_strict_csp_and_log_no_console_errors(page, path):
    assert_page_headers(page.goto(path))

    # Signed out: the route ends on the sign-in form (docs/UI.md), rendered by scripts the CSP allowed.
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))  # console_errors: checked after the test


@pytest.mark.parametrize("path", ["/entries/whatever", "/settings/sessions/42", "/no/such/page"])
def test_deep_routes_get_the_page_with_the_csp_and_log_no_console_errors(page, path):
    assert_page_headers(page.goto(path))

    # Whatever the app makes of the route (sign-in, not found), it renders a heading: its scripts ran.
    expect(page.get_by_role("heading").first).to_be_visible()


def test_the_assets_of_the_page_are_immutable(page, server):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()

    assets = [r for r in responses if "/assets/" in r.url]
    assert assets, [r.url for r in responses]
    for response in assets:
        assert response.status == 200, response.url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable", response.url


def test_docs_renders_the_api_reference(page):
    response = page.goto("/docs")

    assert response.status == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"] and "'unsafe-eval'" not in sum(policy.values(), [])
    # Swagger UI writes paths with zero-width spaces after each slash.
    page.wait_for_function("() => document.body.innerText.replace(/\\u200b/g, '').includes('/api/v1/auth/login')")
    expect(page.get_by_role("heading", name="Ledger API").first).to_be_visible()


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_sign_in_and_register_have_no_serious_accessibility_violations(page, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(path)
    expect(page.get_by_label("Email", exact=True)).to_be_visible()

    results = Axe().run(page)

    serious = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert not serious, serious
