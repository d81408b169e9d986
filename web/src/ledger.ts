/** The ledger's shared data: accounts and categories (loaded once, reloaded after a change), the
 * person's currency and its exponent, and one way to call the API. */
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "./api/client";
import { type Failure, failureOf } from "./api/problem";
import { type Loaded, loadExponents, useMe } from "./data";
import { intlExponent } from "./money";
import { api } from "./services";

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

/** A small shared store: loaded on first use, shared by every screen, reloaded on demand. */
function store<T>(load: () => Promise<Outcome<T>>) {
  let value: Loaded<T> = { status: "loading" };
  let pending: Promise<void> | null = null;
  const listeners = new Set<(v: Loaded<T>) => void>();
  const set = (next: Loaded<T>) => {
    value = next;
    for (const listener of listeners) listener(next);
  };
  const reload = (): Promise<void> => {
    pending = load().then((outcome) => {
      pending = null;
      set("data" in outcome ? { status: "ready", value: outcome.data } : { status: "failed", failure: outcome.failure });
    });
    return pending;
  };
  return {
    reload,
    reset: () => {
      value = { status: "loading" };
      pending = null;
    },
    use(): [Loaded<T>, () => Promise<void>] {
      const [state, setState] = useState<Loaded<T>>(value);
      useEffect(() => {
        listeners.add(setState);
        if (value.status !== "ready" && !pending) void reload();
        else setState(value);
        return () => {
          listeners.delete(setState);
        };
      }, []);
      return [state, reload];
    },
  };
}

export const accountsStore = store(async () => {
  const outcome = await call(() => api.GET("/api/v1/accounts"));
  return "data" in outcome ? { data: outcome.data.items, response: outcome.response } : outcome;
});

export const categoriesStore = store(async () => {
  const outcome = await call(() => api.GET("/api/v1/categories"));
  return "data" in outcome ? { data: outcome.data.items, response: outcome.response } : outcome;
});

export const useAccounts = () => accountsStore.use();
export const useCategories = () => categoriesStore.use();

/** After a sign-out or another person's sign-in: nothing of the previous person is kept. */
export function forgetLedger(): void {
  accountsStore.reset();
  categoriesStore.reset();
}

export interface Money {
  currency: string;
  exponent: number;
}

/** The person's currency and its exponent (GET /currencies; Intl's digits until that answers). */
export function useMoney(userId: string): Money | null {
  const [me] = useMe(userId);
  const currency = me.status === "ready" ? me.value.currency : null;
  const [exponent, setExponent] = useState<number | null>(null);
  useEffect(() => {
    if (!currency) return;
    let live = true;
    loadExponents().then((map) => live && setExponent(map.get(currency) ?? intlExponent(currency)));
    return () => {
      live = false;
    };
  }, [currency]);
  if (!currency) return null;
  return { currency, exponent: exponent ?? intlExponent(currency) };
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
