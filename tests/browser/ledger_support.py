"""Helpers of the ledger's browser tests (issue 9): a person with data, made through the API, and the API's
own numbers to compare the screens with."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, new_email, sign_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots; ignored by git (its own .gitignore)
SCREENS = ["/", "/entries", "/accounts", "/categories", "/budgets", "/reports", "/settings"]


# The web app sends a ledger's paths to the chosen ledger (web/src/api/ledgerScope.ts): /api/v1/ledgers/4/entries.
SCOPED = re.compile(r"^/api/v1/ledgers/\d+(?=/(accounts|categories|entries|budgets|reports|schedules)(/|$))")


def unscoped(path: str) -> str:
    """A request's path as the screens ask for it: /api/v1/ledgers/4/entries → /api/v1/entries."""
    return SCOPED.sub("/api/v1", path)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return ARTIFACTS / name


class Person:
    """A registered person and an access token for checking what the API says."""

    def __init__(self, server, locale: str = "en", email: str | None = None) -> None:
        self.server = server
        self.email = email or new_email()
        if email is None:
            response = server.api("POST", "/api/v1/auth/register",
                                  json={"email": self.email, "password": PASSWORD, "locale": locale})
            assert response.status_code == 201, response.text

    def token(self) -> str:
        response = self.server.api("POST", "/api/v1/auth/login", json={"email": self.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def get(self, path: str, **params):
        response = self.server.api("GET", path, token=self.token(), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, body):
        response = self.server.api(method, path, token=self.token(), json=body)
        assert response.status_code in (200, 201, 204), response.text
        return response.json() if response.content else None

    def categories(self, kind: str | None = None) -> list[dict]:
        return [c for c in self.get("/api/v1/categories")["items"] if kind is None or c["kind"] == kind]

    def accounts(self) -> list[dict]:
        return self.get("/api/v1/accounts")["items"]

    def entries(self, **params) -> list[dict]:
        items, cursor = [], None
        while True:
            page = self.get("/api/v1/entries", limit=200, **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    def add(self, type_: str, amount: int, *, category: dict | None = None, account: dict | None = None,
            to_account: dict | None = None, day: dt.date | None = None, memo: str = "", tags=()) -> dict:
        account = account or self.accounts()[0]
        body = {"type": type_, "amount": amount, "occurred_on": (day or dt.date.today()).isoformat(),
                "account_id": account["id"], "memo": memo, "tags": list(tags)}
        if type_ == "transfer":
            body["to_account_id"] = to_account["id"]
        else:
            body["category_id"] = (category or self.categories(type_)[0])["id"]
        return self.send("POST", "/api/v1/entries", body)


def signed_in(page, person: Person, path: str = "/", lang: str = "en") -> None:
    page.goto("/login")
    if lang == "ko":  # the sign-in form of docs/UI.md, in Korean
        page.get_by_label("이메일", exact=True).fill(person.email)
        page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="로그인", exact=True).click()
        expect(page.get_by_role("button", name="로그아웃", exact=True)).to_be_visible()
    else:
        sign_in(page, person.email)
    if path != "/":
        page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def today_in_browser(page) -> str:
    """The browser's local date, as the entry form's default."""
    return page.evaluate("""() => { const d = new Date(); const p = (n) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }""")


def month_of_today(page) -> str:
    return today_in_browser(page)[:7]


def won(minor: int) -> str:
    """KRW as the English UI writes it (₩12,000)."""
    return f"{'-' if minor < 0 else ''}₩{abs(minor):,}"


def won_ko(minor: int) -> str:
    """KRW as the Korean UI writes it (12,000원)."""
    return f"{'-' if minor < 0 else ''}{abs(minor):,}원"
