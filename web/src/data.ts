/** Data that several screens share: the person (GET /me) and the currencies' exponents. */
import { useEffect, useState } from "preact/hooks";
import type { User } from "./api/client";
import { type Failure, failureOf } from "./api/problem";
import { api, publicApi } from "./services";

let me: { userId: string; promise: Promise<User> } | null = null;
const meListeners = new Set<(user: User) => void>();

async function fetchMe(): Promise<User> {
  let result;
  try {
    result = await api.GET("/api/v1/me");
  } catch (thrown) {
    throw failureOf({ thrown });
  }
  if (!result.data) throw failureOf(result);
  return result.data;
}

/** The signed-in person, loaded once per sign-in and shared. */
export function loadMe(userId: string): Promise<User> {
  if (me?.userId !== userId) {
    const promise = fetchMe();
    me = { userId, promise };
    promise.catch(() => {
      if (me?.promise === promise) me = null; // try again next time
    });
  }
  return me.promise;
}

/** After PATCH /me: every screen sees the new values. */
export function setMe(userId: string, user: User): void {
  me = { userId, promise: Promise.resolve(user) };
  for (const listener of meListeners) listener(user);
}

export type Loaded<T> = { status: "loading" } | { status: "ready"; value: T } | { status: "failed"; failure: Failure };

export function useMe(userId: string): [Loaded<User>, () => void] {
  const [state, setState] = useState<Loaded<User>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    loadMe(userId).then(
      (value) => live && setState({ status: "ready", value }),
      (failure: Failure) => live && setState({ status: "failed", failure }),
    );
    const listener = (value: User) => setState({ status: "ready", value });
    meListeners.add(listener);
    return () => {
      live = false;
      meListeners.delete(listener);
    };
  }, [userId, attempt]);
  return [state, () => setAttempt((a) => a + 1)];
}

let exponents: Promise<Map<string, number>> | null = null;

/** ISO 4217 exponents from GET /currencies (public, loaded once). */
export function loadExponents(): Promise<Map<string, number>> {
  exponents ??= publicApi.GET("/api/v1/currencies").then(
    ({ data }) => new Map((data?.items ?? []).map((c) => [c.code, c.exponent])),
    () => {
      exponents = null;
      return new Map<string, number>();
    },
  );
  return exponents;
}
