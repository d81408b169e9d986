/** The dashboard's "이번 달 카드 결제 예정": each open credit card's statement paid in the month (GET /cards/due),
 * linked to the statement. Nothing is shown for a ledger without credit cards. */
import { useEffect, useRef } from "preact/hooks";
import { formatDate, useI18n } from "../i18n";
import { call, type Money, useAccounts } from "../ledger";
import { formatMoney } from "../money";
import { Link } from "../router";
import { api } from "../services";
import { type Loaded, useResource } from "../useResource";
import type { Schemas } from "../api/client";
import { LoadError } from "./Message";

/** `month` is YYYY-MM; `changes` counts the entries changed on the dashboard, after which the totals load again.
 * A ledger without an open credit card asks for nothing. */
export function CardsDue({ month, money, changes }: { month: string; money: Money; changes: number }) {
  const { t, lang } = useI18n();
  const accounts = useAccounts();
  const hasCards = (accounts.data ?? []).some((a) => a.type === "credit_card" && !a.archived);
  const due = useResource(
    (signal): Promise<Loaded<Schemas["DueList"]>> =>
      hasCards ? call(() => api.GET("/api/v1/cards/due", { params: { query: { month } }, signal })) : Promise.resolve({ data: { items: [] } }),
    [month, hasCards],
  );
  const { reload } = due;
  const seen = useRef(changes);
  useEffect(() => {
    if (seen.current === changes) return;
    seen.current = changes;
    if (hasCards) reload();
  }, [changes, hasCards, reload]);
  if (due.failure) return <LoadError failure={due.failure} retry={due.reload} />;
  const items = due.data?.items ?? [];
  if (!items.length) return null;
  const fmt = (minor: number) => formatMoney(minor, items[0]?.currency ?? money.currency, lang, money.exponent);
  return (
    <section class="card" aria-labelledby="cards-due-title">
      <h2 id="cards-due-title">{t.cardsDueTitle}</h2>
      <ul class="cards-due">
        {items.map((item) => (
          <li key={item.account_id} class="cards-due__row">
            <Link href={`/accounts/${item.account_id}/statement?month=${item.month}`}>{item.account_name}</Link>
            <span class="cards-due__date">{t.cardDueOn(formatDate(item.payment_date, lang))}</span>
            <strong class="cards-due__amount" data-value={item.amount_due}>
              {fmt(item.amount_due)}
            </strong>
          </li>
        ))}
      </ul>
    </section>
  );
}
