/** What the schedules screen and the dashboard's upcoming card both say about an occurrence. */
import type { Schemas } from "./api/client";
import type { Lang } from "./i18n";
import type { Messages } from "./i18n/en";

export type Occurrence = Schemas["Occurrence"];

/** A date with its weekday, in the reader's language. */
export function formatDay(iso: string, lang: Lang): string {
  const [y, m, d] = iso.split("-").map(Number);
  if (!y || !m || !d) return iso;
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(new Date(y, m - 1, d));
}

export function statusName(status: Occurrence["status"], t: Messages): string {
  return status === "overdue" ? t.sched.statusOverdue : status === "due" ? t.sched.statusDue : t.sched.statusUpcoming;
}
