/** Accounting months with the person's month_start_day (mirrors ledger/months.py): with 25,
 * "2026-11" runs from 2026-10-25 to 2026-11-24 (payday budgeting). */
export interface YearMonth {
  year: number;
  month: number; // 1..12
}

const MONTH_RE = /^([0-9]{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(value: string | null | undefined): YearMonth | null {
  const match = MONTH_RE.exec(value ?? "");
  if (!match) return null;
  const year = Number(match[1]);
  if (year < 1 || year > 9998) return null;
  return { year, month: Number(match[2]) };
}

export function formatMonth({ year, month }: YearMonth): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

export function shiftMonth({ year, month }: YearMonth, delta: number): YearMonth {
  const index = year * 12 + (month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The accounting month that contains the local calendar day `day`. */
export function monthOf(day: Date, startDay = 1): YearMonth {
  const here = { year: day.getFullYear(), month: day.getMonth() + 1 };
  if (startDay <= 1 || day.getDate() < startDay) return here;
  return shiftMonth(here, 1);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A local calendar day as YYYY-MM-DD (the person's date, not the UTC one). */
export function isoDate(day: Date): string {
  return `${String(day.getFullYear()).padStart(4, "0")}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** Today in the person's time zone. */
export function today(now = new Date()): string {
  return isoDate(now);
}

/** First and last day (inclusive) of an accounting month: with startDay 25, 2026-11 is 2026-10-25..2026-11-24. */
export function monthBounds(ym: YearMonth, startDay = 1): { from: string; to: string } {
  if (startDay <= 1) {
    const leap = ym.year % 4 === 0 && (ym.year % 100 !== 0 || ym.year % 400 === 0);
    const last = ym.month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(ym.month) ? 30 : 31;
    return { from: `${formatMonth(ym)}-01`, to: `${formatMonth(ym)}-${pad(last)}` };
  }
  const prev = shiftMonth(ym, -1);
  return { from: `${formatMonth(prev)}-${pad(startDay)}`, to: `${formatMonth(ym)}-${pad(startDay - 1)}` };
}

/** Months from `a` to `b` inclusive (0 when b is before a). */
export function monthsBetween(a: YearMonth, b: YearMonth): number {
  return b.year * 12 + b.month - (a.year * 12 + a.month) + 1;
}
