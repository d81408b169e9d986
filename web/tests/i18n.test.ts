import { describe, expect, it } from "vitest";
import { browserLang, catalogues } from "../src/i18n";
import { en } from "../src/i18n/en";
import { ko } from "../src/i18n/ko";

describe("message catalogues", () => {
  it("Korean and English have exactly the same keys", () => {
    const missingInKo = Object.keys(en).filter((key) => !(key in ko));
    const missingInEn = Object.keys(ko).filter((key) => !(key in en));
    expect(missingInKo, "keys missing from ko.ts").toEqual([]);
    expect(missingInEn, "keys missing from en.ts").toEqual([]);
  });

  it("every entry is the same kind of thing in both (a string, or a function of as many arguments)", () => {
    for (const [key, value] of Object.entries(en)) {
      const other = (ko as Record<string, unknown>)[key];
      expect(typeof other, key).toBe(typeof value);
      if (typeof value === "function") expect((other as (...a: unknown[]) => string).length, key).toBe(value.length);
      else expect(String(other).trim(), key).not.toBe("");
    }
  });

  it("the names docs/UI.md gives are the English ones", () => {
    const t = catalogues.en;
    expect([t.email, t.password, t.signIn, t.createAccount, t.signOut, t.signOutEverywhere, t.thisDevice]).toEqual([
      "Email",
      "Password",
      "Sign in",
      "Create account",
      "Sign out",
      "Sign out everywhere",
      "This device",
    ]);
    expect([t.dashboard, t.entries, t.accounts, t.categories, t.budgets, t.reports, t.settings]).toEqual([
      "Dashboard",
      "Entries",
      "Accounts",
      "Categories",
      "Budgets",
      "Reports",
      "Settings",
    ]);
    expect([t.income, t.expenses, t.net, t.previousMonth, t.nextMonth]).toEqual(["Income", "Expenses", "Net", "Previous month", "Next month"]);
    expect(t.signOutDevice("Chrome on Windows")).toBe("Sign out Chrome on Windows");
  });

  it("every sign-out message that is not the person's own choice says 'signed out'", () => {
    for (const reason of ["other_tab", "token_revoked", "refresh_token_reused", "invalid_token", "session_expired"] as const) {
      expect(catalogues.en[`reason_${reason}`]).toMatch(/signed out/);
    }
  });
});

describe("language of the browser", () => {
  it.each([
    [["ko-KR", "en-US"], "ko"],
    [["ko"], "ko"],
    [["KO-kr"], "ko"],
    [["en-US", "ko-KR"], "en"],
    [["ja-JP"], "en"],
    [[], "en"],
  ])("%j → %s", (languages, expected) => {
    expect(browserLang(languages)).toBe(expected);
  });
});
