import { describe, expect, it } from "vitest";
import { formatMoney, minorToDecimal } from "../src/money";
import { formatMonth, monthOf, parseMonth, shiftMonth } from "../src/months";

describe("money", () => {
  it.each([
    [12000, 0, "12000"],
    [1250, 2, "12.50"],
    [5, 2, "0.05"],
    [-5, 3, "-0.005"],
    [0, 2, "0.00"],
    [9007199254740991, 2, "90071992547409.91"],
  ])("minorToDecimal(%d, %d) = %s", (minor, exponent, expected) => {
    expect(minorToDecimal(minor, exponent)).toBe(expected);
  });

  it("shows KRW as ₩12,000 in English and 12,000원 in Korean", () => {
    expect(formatMoney(12000, "KRW", "en", 0)).toBe("₩12,000");
    expect(formatMoney(12000, "KRW", "ko", 0)).toBe("12,000원");
    expect(formatMoney(-12000, "KRW", "ko", 0)).toBe("-12,000원");
  });

  it("shows other currencies with their minor unit, exactly", () => {
    expect(formatMoney(1250, "USD", "en", 2)).toBe("$12.50");
    expect(formatMoney(9007199254740991, "USD", "en", 2)).toBe("$90,071,992,547,409.91");
    expect(formatMoney(1234, "BHD", "en", 3)).toMatch(/1\.234/);
  });

  it("falls back to Intl's digits without an exponent", () => {
    expect(formatMoney(1250, "USD", "en")).toBe("$12.50");
    expect(formatMoney(500, "JPY", "en")).toBe("¥500");
  });
});

describe("accounting months", () => {
  it("parses and formats YYYY-MM", () => {
    expect(parseMonth("2026-11")).toEqual({ year: 2026, month: 11 });
    expect(parseMonth("2026-13")).toBeNull();
    expect(parseMonth("２０２６-11")).toBeNull();
    expect(formatMonth({ year: 2026, month: 1 })).toBe("2026-01");
  });

  it("shifts across years", () => {
    expect(shiftMonth({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
    expect(shiftMonth({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
  });

  it("honours month_start_day (with 25, 2026-11 runs from 2026-10-25 to 2026-11-24)", () => {
    expect(monthOf(new Date(2026, 9, 24), 25)).toEqual({ year: 2026, month: 10 });
    expect(monthOf(new Date(2026, 9, 25), 25)).toEqual({ year: 2026, month: 11 });
    expect(monthOf(new Date(2026, 10, 24), 25)).toEqual({ year: 2026, month: 11 });
    expect(monthOf(new Date(2026, 11, 31), 25)).toEqual({ year: 2027, month: 1 });
    expect(monthOf(new Date(2026, 10, 30), 1)).toEqual({ year: 2026, month: 11 });
  });
});
