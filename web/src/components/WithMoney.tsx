/** The screens that count money wait for the person's profile (their currency and month_start_day): this is
 * that wait, once, with its failure and Retry (a failed GET /me never leaves a screen on "Loading…"). */
import type { JSX } from "preact";
import type { User } from "../api/client";
import { useMe } from "../data";
import { type Money, useMoney } from "../ledger";
import { LoadError, Loading } from "./Message";

export function WithMoney({ children }: { children: (money: Money, me: User) => JSX.Element }) {
  const me = useMe();
  const money = useMoney(me.data);
  if (me.data && money) return children(money, me.data);
  if (me.failure) return <LoadError failure={me.failure} retry={me.reload} />;
  return <Loading />;
}
