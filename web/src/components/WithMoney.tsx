/** The screens that count money wait for the person's profile and currency; this is that wait, once. */
import type { JSX } from "preact";
import { useMe } from "../data";
import { useI18n } from "../i18n";
import { type Money, useMoney } from "../ledger";

export function WithMoney({
  userId,
  children,
}: {
  userId: string;
  children: (money: Money, startDay: number) => JSX.Element;
}) {
  const { t } = useI18n();
  const [me] = useMe(userId);
  const money = useMoney(userId);
  if (me.status !== "ready" || !money) {
    return (
      <p role="status" class="loading">
        {t.loading}
      </p>
    );
  }
  return children(money, me.value.month_start_day);
}
