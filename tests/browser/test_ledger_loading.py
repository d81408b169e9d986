"""A load that fails says so, in the reader's language, with a Retry button that loads again (issue 19, item 8):
never "Loading…" for ever."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, signed_in

WORDS = {
    "en": {"retry": "Retry", "loading": "Loading…", "entries": "Entries",
           "error": "Something went wrong on our side. Please try again in a moment."},
    "ko": {"retry": "다시 시도", "loading": "불러오는 중…", "entries": "내역",
           "error": "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."},
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_failing_get_me_shows_the_error_and_retry_on_entries_and_retry_recovers(new_context, server,
                                                                                   console_errors, lang):
    words = WORDS[lang]
    console_errors.allow(r"500 \S*/api/v1/me$")  # the browser logs the routed 500 itself
    person = Person(server, locale=lang)
    person.add("expense", 12000, memo="Lunch with the team")
    page = new_context(locale="ko-KR" if lang == "ko" else "en-US").new_page()
    signed_in(page, person, lang=lang)
    failed = []

    def answer_500(route):
        failed.append(route.request.url)
        route.fulfill(status=500, content_type="application/problem+json",
                      body=json.dumps({"type": "about:blank", "title": "Internal Server Error", "status": 500,
                                       "code": "internal_error"}))

    page.route("**/api/v1/me", answer_500)
    page.goto("/entries")  # a fresh start: the person's profile is asked for again, and fails

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(words["error"])
    retry = alert.get_by_role("button", name=words["retry"], exact=True)
    expect(retry).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=words["loading"])).to_have_count(0)
    assert failed
    page.screenshot(path=artifact(f"entries-me-failed-{lang}.png"), full_page=True)

    page.unroute("**/api/v1/me")
    retry.click()
    expect(page.get_by_role("heading", name=words["entries"], level=1)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Lunch with the team")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
