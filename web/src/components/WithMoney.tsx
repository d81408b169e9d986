/** The screens that count money: the chosen ledger's currency (with its exponent) and month start day. The
 * signed-in frame has loaded the ledger before any screen renders. */
import type { JSX } from "preact";
import { type Money, useMoney } from "../ledger";
import { type Ledger, useLedger } from "../ledgers";

export function WithMoney({ children }: { children: (money: Money, ledger: Ledger) => JSX.Element }) {
  const { ledger } = useLedger();
  const money = useMoney(ledger.currency);
  return children(money, ledger);
}
