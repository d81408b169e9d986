/** Data that several screens share, fetched once and kept until it changes: the person (GET /me), the ledgers
 * they are in (GET /ledgers), the chosen ledger's accounts, categories and members (ledger.ts), the currencies'
 * exponents. A screen reads one through useResource
 * (`store.use()`), so a shared value loads, fails and retries as any other data does. */
import { useEffect } from "preact/hooks";
import type { User } from "./api/client";
import type { Ledger } from "./ledgers";
import { failureOf } from "./api/problem";
import { api, publicApi } from "./services";
import { type Loaded, type Resource, useResource } from "./useResource";

export interface SharedStore<T> {
  /** Loads again; every screen that shows it gets the new value (and keeps the old one meanwhile). */
  reload(): Promise<void>;
  /** The value a change answered with (PATCH /me): every screen that shows it gets it, without a load. */
  set(value: T): void;
  /** Forgets the value without loading: the next screen that asks loads it. */
  reset(): void;
  use(): Resource<T>;
}

/** A value loaded on first use and shared by every screen; a failed load is forgotten, so Retry loads again.
 * The load is shared, so a screen that goes away does not abort it (useResource drops its answer). */
export function sharedStore<T>(load: () => Promise<Loaded<T>>): SharedStore<T> {
  let current: Promise<Loaded<T>> | null = null;
  const listeners = new Set<() => void>();
  const get = (): Promise<Loaded<T>> => {
    if (current === null) {
      const promise = load().catch((thrown: unknown): Loaded<T> => ({ failure: failureOf({ thrown }) }));
      current = promise;
      void promise.then((outcome) => {
        if ("failure" in outcome && current === promise) current = null;
      });
    }
    return current;
  };
  const changed = () => {
    for (const listener of listeners) listener();
  };
  return {
    reload: async () => {
      current = null;
      const loading = get();
      changed();
      await loading;
    },
    set: (value) => {
      current = Promise.resolve({ data: value });
      changed();
    },
    reset: () => {
      current = null;
    },
    use() {
      const resource = useResource(() => get(), []);
      const { reload } = resource;
      useEffect(() => {
        listeners.add(reload);
        return () => {
          listeners.delete(reload);
        };
      }, [reload]);
      return resource;
    },
  };
}

/** The signed-in person. (What a load throws, sharedStore turns into a failure.) */
export const meStore = sharedStore<User>(async () => {
  const result = await api.GET("/api/v1/me");
  return result.data ? { data: result.data } : { failure: failureOf(result) };
});

export const useMe = () => meStore.use();

/** Every ledger the person is in, with their role in each. */
export const ledgersStore = sharedStore<Ledger[]>(async () => {
  const result = await api.GET("/api/v1/ledgers");
  return result.data ? { data: result.data.items } : { failure: failureOf(result) };
});

/** ISO 4217 exponents from GET /currencies (public). When it fails, useMoney falls back on Intl's digits. */
export const exponentsStore = sharedStore<Map<string, number>>(async () => {
  const result = await publicApi.GET("/api/v1/currencies");
  if (!result.data) return { failure: failureOf(result) };
  return { data: new Map(result.data.items.map((c) => [c.code, c.exponent])) };
});
