import { describe, expect, it } from "vitest";
import { readCsrfCookie } from "../src/auth/csrf";
import { readClaims } from "../src/auth/jwt";
import { safeNext } from "../src/router";
import { jwt } from "./fakes";

describe("readCsrfCookie", () => {
  it("finds the development and the production name", () => {
    expect(readCsrfCookie("a=1; csrf_refresh_token=abc; b=2")).toBe("abc");
    expect(readCsrfCookie("__Secure-csrf_refresh_token=xyz")).toBe("xyz");
    expect(readCsrfCookie("csrf_refresh_token=old; __Secure-csrf_refresh_token=new")).toBe("new");
  });

  it("does not mistake a longer name for it", () => {
    expect(readCsrfCookie("x_csrf_refresh_token=nope")).toBeNull();
    expect(readCsrfCookie("")).toBeNull();
  });
});

describe("readClaims", () => {
  it("reads sub without verifying", () => {
    expect(readClaims(jwt("42", 1)).sub).toBe("42");
    expect(readClaims("not a token")).toEqual({});
  });
});

describe("safeNext", () => {
  it.each([
    ["/settings", "/settings"],
    ["/?month=2026-10", "/?month=2026-10"],
    ["//evil.example", null],
    ["/\\evil.example", null],
    ["https://evil.example/", null],
    ["/login?next=/", null],
    ["/api/v1/me", null],
    [null, null],
  ])("%s → %s", (value, expected) => {
    expect(safeNext(value)).toBe(expected);
  });
});
