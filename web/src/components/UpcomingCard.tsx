/** The dashboard's "upcoming this month": the month's scheduled entries not yet posted nor skipped, and the
 * total of the fixed expenses still to come (GET /schedules/upcoming). Nothing shows without any. */
import type { Schemas } from "../api/client";
import { formatDate, useI18n } from "../i18n";
import { call, type Money } from "../ledger";
import { formatMoney } from "../money";
import { Link } from "../router";
import { statusName } from "../schedules";
import { api } from "../services";
import { useResource } from "../useResource";

export function UpcomingCard({ month, money }: { month: string; money: Money }) {
  const { t, lang } = useI18n();
  const upcoming = useResource<Schemas["ScheduleUpcoming"]>((signal) => call(() => api.GET("/api/v1/schedules/upcoming", { params: { query: { month } }, signal })), [month]);
  const data = upcoming.data?.month === month ? upcoming.data : null;
  if (!data || data.items.length === 0) return null;
  const fmt = (minor: number) => formatMoney(minor, money.currency, lang, money.exponent);
  return (
    <section class="card upcoming" aria-labelledby="upcoming-title">
      <h2 id="upcoming-title">{t.sched.upcomingTitle}</h2>
      <dl class="totals">
        <div class="total total--expense">
          <dt>{t.sched.remaining}</dt>
          <dd data-value={data.remaining_expense}>{fmt(data.remaining_expense)}</dd>
        </div>
      </dl>
      <ul class="upcoming-list">
        {data.items.map((item) => (
          <li key={`${item.schedule_id}-${item.nominal_date}`} class="upcoming-item">
            <span class="upcoming-item__date">{formatDate(item.date, lang)}</span>
            <span class="upcoming-item__name">
              {item.name}
              {item.status !== "upcoming" && <span class={`badge badge--${item.status}`}>{statusName(item.status, t)}</span>}
            </span>
            <span class={item.type === "income" ? "upcoming-item__amount income" : "upcoming-item__amount"}>{fmt(item.amount)}</span>
          </li>
        ))}
      </ul>
      <Link href="/schedules" class="more-link">
        {t.sched.all}
      </Link>
    </section>
  );
}
