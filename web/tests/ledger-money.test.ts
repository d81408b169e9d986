import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMoney, MAX_AMOUNT, parseAmount } from "../src/money";
import { isoDate, monthBounds, monthOf, monthsBetween, shiftMonth } from "../src/months";

const MAX = Number(MAX_AMOUNT);
// A currency per exponent as Intl knows it, and others formatted with an exponent of our choosing.
const CURRENCIES = [
  ["KRW", 0],
  ["JPY", 0],
  ["USD", 2],
  ["EUR", 2],
  ["BHD", 3],
  ["KWD", 3],
  ["USD", 1],
  ["KRW", 3],
] as const;

describe("parseAmount: typed as a person writes it", () => {
  it.each([
    ["12,000", 0, "KRW", 12000],
    ["12000", 0, "KRW", 12000],
    ["₩12,000", 0, "KRW", 12000],
    ["12,000원", 0, "KRW", 12000],
    [" 12 000 ", 0, "KRW", 12000],
    ["3.50", 2, "USD", 350],
    ["3.5", 2, "USD", 350],
    ["$3.50", 2, "USD", 350],
    [".5", 2, "USD", 50],
    ["3", 2, "USD", 300],
    ["1,234.567", 3, "BHD", 1234567],
    ["BHD 1.234", 3, "BHD", 1234],
    ["12.0", 0, "KRW", 12],
    ["１２,０００", 0, "KRW", 12000],
    ["9007199254740991", 0, "KRW", 9007199254740991],
    ["90071992547409.91", 2, "USD", 9007199254740991],
  ])("%j (exponent %d, %s) → %d", (text, exponent, currency, minor) => {
    expect(parseAmount(text, exponent, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ["", 0, "empty"],
    ["   ", 0, "empty"],
    ["12.5", 0, "too_precise"],
    ["3.505", 2, "too_precise"],
    ["abc", 0, "invalid"],
    ["12a", 0, "invalid"],
    ["1e5", 0, "invalid"],
    ["-5", 0, "invalid"],
    ["1,2,3", 0, "invalid"],
    ["12,00", 0, "invalid"],
    ["1.2.3", 2, "invalid"],
    [".", 2, "invalid"],
    ["0", 0, "zero"],
    ["0.00", 2, "zero"],
    ["9007199254740992", 0, "too_large"],
    ["90071992547409.92", 2, "too_large"],
    ["99999999999999999999999", 0, "too_large"],
  ])("%j (exponent %d) is the field error %s", (text, exponent, error) => {
    expect(parseAmount(text, exponent, "KRW")).toEqual({ ok: false, error });
  });

  it("never goes through a float: 0.1 + 0.2 is exactly 30 cents", () => {
    expect(parseAmount("0.30", 2, "USD")).toEqual({ ok: true, minor: 30 });
    expect(parseAmount("1.005", 3, "BHD")).toEqual({ ok: true, minor: 1005 });
    expect(parseAmount("4.35", 2, "USD")).toEqual({ ok: true, minor: 435 }); // 4.35 * 100 = 434.99999999999994
  });
});

describe("format then parse gives back the same integer (property)", () => {
  for (const [currency, exponent] of CURRENCIES) {
    for (const lang of ["en", "ko"] as const) {
      it(`${currency} with exponent ${exponent}, ${lang}`, () => {
        fc.assert(
          fc.property(fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: MAX })), (minor) => {
            const shown = formatMoney(minor, currency, lang, exponent);
            expect(parseAmount(shown, exponent, currency)).toEqual({ ok: true, minor });
          }),
          { numRuns: 300 },
        );
      });
    }
  }

  it("the digits alone, with or without separators, parse back too", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: MAX }), (exponent, minor) => {
        const digits = String(minor).padStart(exponent + 1, "0");
        const plain = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
        expect(parseAmount(plain, exponent, "USD")).toEqual({ ok: true, minor });
      }),
    );
  });

  it("Korean KRW is written 12,000원; English ₩12,000", () => {
    expect(formatMoney(12000, "KRW", "ko", 0)).toBe("12,000원");
    expect(formatMoney(12000, "KRW", "en", 0)).toBe("₩12,000");
    expect(formatMoney(350, "USD", "en", 2)).toBe("$3.50");
  });
});

describe("months with month_start_day", () => {
  it("payday budgeting: with 25, 2026-11 runs from 2026-10-25 to 2026-11-24", () => {
    expect(monthBounds({ year: 2026, month: 11 }, 25)).toEqual({ from: "2026-10-25", to: "2026-11-24" });
    expect(monthBounds({ year: 2026, month: 1 }, 25)).toEqual({ from: "2025-12-25", to: "2026-01-24" });
  });

  it("calendar months with 1, leap years included", () => {
    expect(monthBounds({ year: 2024, month: 2 }, 1)).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(monthBounds({ year: 2100, month: 2 }, 1)).toEqual({ from: "2100-02-01", to: "2100-02-28" });
    expect(monthBounds({ year: 2000, month: 2 }, 1)).toEqual({ from: "2000-02-01", to: "2000-02-29" });
    expect(monthBounds({ year: 2026, month: 4 }, 1)).toEqual({ from: "2026-04-01", to: "2026-04-30" });
  });

  it("a day belongs to the month whose bounds contain it (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 28 }), fc.date({ min: new Date(1990, 0, 1), max: new Date(2090, 11, 31), noInvalidDate: true }), (startDay, day) => {
        const month = monthOf(day, startDay);
        const { from, to } = monthBounds(month, startDay);
        const iso = isoDate(day);
        expect(iso >= from && iso <= to).toBe(true);
      }),
    );
  });

  it("consecutive accounting months touch without a gap (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), (startDay, year, m) => {
        const month = { year, month: m };
        const next = monthBounds(shiftMonth(month, 1), startDay).from;
        const end = monthBounds(month, startDay).to;
        const [y, mo, d] = end.split("-").map(Number);
        expect(isoDate(new Date(y!, mo! - 1, d! + 1))).toBe(next);
      }),
    );
  });

  it("the 25th starts the next month; the 24th is still this one", () => {
    expect(monthOf(new Date(2026, 9, 25), 25)).toEqual({ year: 2026, month: 11 });
    expect(monthOf(new Date(2026, 9, 24), 25)).toEqual({ year: 2026, month: 10 });
    expect(monthOf(new Date(2026, 11, 31), 25)).toEqual({ year: 2027, month: 1 });
    expect(monthsBetween({ year: 2025, month: 12 }, { year: 2026, month: 11 })).toBe(12);
  });

  it("the local date, not the UTC one", () => {
    expect(isoDate(new Date(2026, 10, 30, 23, 59))).toBe("2026-11-30");
    expect(isoDate(new Date(2026, 0, 1, 0, 1))).toBe("2026-01-01");
  });
});
