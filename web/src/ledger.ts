/** The chosen ledger's shared data: accounts, categories and members (loaded once, reloaded after a change,
 * forgotten when another ledger is chosen), its currency's exponent, and one way to call the API. */
import type { Schemas } from "./api/client";
import { type Failure, failureOf } from "./api/problem";
import { exponentsStore, ledgersStore, meStore, sharedStore } from "./data";
import { ledgerScope, type Member } from "./ledgers";
import { intlExponent } from "./money";
import { api, auth } from "./services";

export type Account = Schemas["Account"];
export type Category = Schemas["Category"];
export type Entry = Schemas["Entry"];
export type Outcome<T> = { data: T; response: Response } | { failure: Failure };

/** One API call: its data, or why it failed (a network error is a failure too, never a throw). */
export async function call<T>(run: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Outcome<T>> {
  try {
    const result = await run();
    if (result.response.ok) return { data: result.data as T, response: result.response };
    return { failure: failureOf(result) };
  } catch (thrown) {
    return { failure: failureOf({ thrown }) };
  }
}

/** The month's budget totals of a monthly report, or null when the month has no budget (the API sends null or {}). */
export function budgetTotal(report: Schemas["MonthlyReport"]): Schemas["BudgetTotal"] | null {
  const total = report.budget;
  return total && typeof (total as { amount?: unknown }).amount === "number" ? (total as Schemas["BudgetTotal"]) : null;
}

export const accountsStore = sharedStore(async () => {
  const outcome = await call(() => api.GET("/api/v1/accounts"));
  return "data" in outcome ? { data: outcome.data.items } : outcome;
});

export const categoriesStore = sharedStore(async () => {
  const outcome = await call(() => api.GET("/api/v1/categories"));
  return "data" in outcome ? { data: outcome.data.items } : outcome;
});

/** The chosen ledger's members (their names say who added an entry). */
export const membersStore = sharedStore<Member[]>(async () => {
  const id = ledgerScope.current();
  if (id === null) return { data: [] };
  const outcome = await call(() => api.GET("/api/v1/ledgers/{ledger_id}/members", { params: { path: { ledger_id: id } } }));
  return "data" in outcome ? { data: outcome.data.items } : outcome;
});

/** What belongs to one ledger, forgotten when another is chosen. */
export const LEDGER_STORES = [accountsStore, categoriesStore, membersStore];

export const useAccounts = () => accountsStore.use();
export const useCategories = () => categoriesStore.use();

/** Nothing of one person's ledger is shown to the next: the shared data is forgotten when the person signed in
 * changes (a sign-out, or a sign-in as someone else), before any screen of theirs renders. */
let ledgerOf: string | null = null;
auth.subscribe((state) => {
  if (state.status === "starting" || state.status === "unreachable") return;
  const userId = state.status === "signed-in" ? state.userId : null;
  if (userId === ledgerOf) return;
  ledgerOf = userId;
  for (const store of [meStore, ledgersStore, ...LEDGER_STORES]) store.reset();
});

export interface Money {
  currency: string;
  exponent: number;
}

/** A currency and its exponent (GET /currencies; Intl's digits until that answers, or if it fails). */
export function useMoney(currency: string): Money {
  const exponents = exponentsStore.use();
  return { currency, exponent: exponents.data?.get(currency) ?? intlExponent(currency) };
}

/** Categories as the two-level tree: top-level ones in name order, each with its children. */
export function categoryTree(items: Category[], kind?: "income" | "expense"): { parent: Category; children: Category[] }[] {
  const byName = (a: Category, b: Category) => a.name.localeCompare(b.name);
  const tops = items.filter((c) => c.parent_id == null && (!kind || c.kind === kind)).sort(byName);
  return tops.map((parent) => ({ parent, children: items.filter((c) => c.parent_id === parent.id).sort(byName) }));
}

/** "Parent › Child" for a child category, its name for a top-level one. */
export function categoryLabel(items: Category[], id: number | null): string {
  const category = items.find((c) => c.id === id);
  if (!category) return "";
  const parent = category.parent_id != null ? items.find((c) => c.id === category.parent_id) : undefined;
  return parent ? `${parent.name} › ${category.name}` : category.name;
}

/** A fallback colour per category id, from a palette that stays apart for colour-blind people
 * (Okabe–Ito), used when the category has none of its own. */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
export function categoryColor(items: Category[], id: number | null): string {
  const category = items.find((c) => c.id === id);
  if (category?.color) return category.color;
  if (category?.parent_id != null) return categoryColor(items, category.parent_id);
  return PALETTE[Math.abs(id ?? 0) % PALETTE.length] ?? "#999999";
}

/** An Idempotency-Key: random, made once per form submission. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
