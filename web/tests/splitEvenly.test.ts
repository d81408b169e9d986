import { describe, expect, it } from "vitest";
import { splitEvenly } from "../src/splitEvenly";

describe("splitEvenly", () => {
  it.each([
    [10000, 3, 1, [3334, 3333, 3333]],
    [10000, 4, 1, [2500, 2500, 2500, 2500]],
    [2, 3, 1, [1, 1, 0]],
    [100, 1, 1, [100]],
    [1005, 2, 100, [505, 500]], // USD cents: whole dollars, the odd cents on the first line
    [1000, 3, 100, [400, 300, 300]],
    [9007199254740991, 2, 1, [4503599627370496, 4503599627370495]],
  ])("splitEvenly(%d, %d, %d) = %j", (total, count, unit, expected) => {
    expect(splitEvenly(total, count, unit)).toEqual(expected);
  });

  it("always adds up, in whole units but for the first line, differing by at most one unit", () => {
    for (let total = 0; total < 400; total += 7) {
      for (let count = 1; count <= 9; count++) {
        for (const unit of [1, 10, 100]) {
          const shares = splitEvenly(total, count, unit);
          expect(shares).toHaveLength(count);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
          const whole = shares.slice(1);
          expect(whole.every((s) => s % unit === 0)).toBe(true);
          const units = [Math.floor((shares[0] ?? 0) / unit), ...whole.map((s) => s / unit)];
          expect(Math.max(...units) - Math.min(...units)).toBeLessThanOrEqual(1);
          expect([...units].sort((a, b) => b - a)).toEqual(units); // the larger shares come first
        }
      }
    }
  });

  it("refuses what it cannot share", () => {
    expect(splitEvenly(100, 0)).toEqual([]);
    expect(splitEvenly(-1, 2)).toEqual([]);
    expect(splitEvenly(1.5, 2)).toEqual([]);
  });
});
