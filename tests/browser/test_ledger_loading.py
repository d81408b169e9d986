"""Loading a screen's data (issue 19, item 8): a load that fails says so, in the reader's language, with a Retry
button that loads again (never "Loading…" for ever); a screen asks for what it shows once."""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, signed_in, unscoped

WORDS = {
    "en": {"retry": "Retry", "loading": "Loading…", "entries": "Entries",
           "error": "Something went wrong on our side. Please try again in a moment."},
    "ko": {"retry": "다시 시도", "loading": "불러오는 중…", "entries": "내역",
           "error": "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."},
}


def answer_500(route) -> None:
    """The server's answer to a failure it did not expect (a routed stand-in)."""
    route.fulfill(status=500, content_type="application/problem+json",
                  body=json.dumps({"type": "about:blank", "title": "Internal Server Error", "status": 500,
                                   "code": "internal_error"}))


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

    def fail(route):
        failed.append(route.request.url)
        answer_500(route)

    page.route("**/api/v1/me", fail)
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


def test_budgets_loads_a_month_with_one_call(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    month = dt.date.today().strftime("%Y-%m")
    person.send("PUT", f"/api/v1/budgets/{month}", {"items": [{"category_id": food["id"], "amount": 5000}]})
    person.add("expense", 1200, category=food)
    signed_in(page, person)
    # The dashboard has loaded the person, the accounts and the categories once its latest entry names both.
    account = person.accounts()[0]["name"]
    expect(page.get_by_role("list", name="Latest entries").get_by_role("listitem")).to_contain_text(["Food"])
    expect(page.get_by_role("list", name="Latest entries").get_by_role("listitem")).to_contain_text([account])
    calls = []
    page.on("request", lambda r: urlsplit(r.url).path.startswith("/api/") and calls.append(
        (r.method, unscoped(urlsplit(r.url).path))))

    page.get_by_role("navigation").get_by_role("link", name="Budgets").click()

    expect(page.get_by_label("Food limit")).to_have_value("5000")
    expect(page.get_by_role("region", name="Total")).to_contain_text("₩1,200 of ₩5,000 spent")
    page.wait_for_load_state("networkidle")
    assert calls == [("GET", "/api/v1/reports/monthly")]  # the limits, their total and the spending, at once


def test_the_reports_breakdown_forgets_a_failure_once_another_month_loads(page, server, console_errors):
    console_errors.allow(r"500 \S*/api/v1/(ledgers/\d+/)?reports/monthly\?")
    person = Person(server)
    signed_in(page, person)
    page.route("**/reports/monthly?*", answer_500)  # /api/v1/ledgers/{id}/reports/monthly
    page.goto("/reports")
    breakdown = page.get_by_role("region", name=re.compile(r"by category$"))
    expect(breakdown.get_by_role("alert")).to_contain_text(WORDS["en"]["error"])

    page.unroute("**/reports/monthly?*")
    breakdown.get_by_role("button", name="Previous month").click()

    expect(breakdown.get_by_text("Net", exact=True)).to_be_visible()
    expect(breakdown.get_by_role("alert")).to_have_count(0)
