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
