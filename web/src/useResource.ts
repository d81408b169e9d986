/** The app's one way to load data for a screen: loading, failure and retry, the last data kept on screen while
 * a new load runs (stale-while-revalidate), and the request aborted when the screen goes away or asks again.
 * Screens show a failure with LoadError (components/Message.tsx), whose Retry calls `reload`. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type Failure, failureOf } from "./api/problem";

/** What a loader answers: the data, or why there is none (a thrown error counts as a network failure). */
export type Loaded<T> = { data: T } | { failure: Failure };

export interface Resource<T> {
  /** The last data loaded, kept while a newer load runs or after it failed; undefined until the first arrives. */
  data: T | undefined;
  /** A load is running (the first, or one after a dependency change or a reload). */
  loading: boolean;
  /** Why the latest load failed; null again as soon as another load starts. */
  failure: Failure | null;
  /** Loads again with the same dependencies: Retry, or after a change made on this screen. */
  reload: () => void;
  /** Changes the data in place (a row deleted, a page appended) without loading. */
  mutate: (update: (data: T | undefined) => T | undefined) => void;
}

interface State<T> {
  data: T | undefined;
  loading: boolean;
  failure: Failure | null;
}

/**
 * `load(signal)` runs after the first render and again whenever a value in `deps` changes (as useEffect's
 * dependencies, which ESLint checks for this hook too) or `reload()` is called. The signal is aborted when the
 * component unmounts or a newer load starts; pass it to openapi-fetch (`api.GET(path, { signal })`). An answer
 * that arrives after that is dropped, never set.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<Loaded<T>>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<State<T>>({ data: undefined, loading: true, failure: null });
  const [attempt, setAttempt] = useState(0);
  // The latest closure: the effect runs when `deps` change, and then calls what this render passed.
  const latest = useRef(load);
  latest.current = load;

  useEffect(
    () => {
      const controller = new AbortController();
      setState((s) => (s.loading && s.failure === null ? s : { ...s, loading: true, failure: null }));
      latest
        .current(controller.signal)
        .catch((thrown: unknown): Loaded<T> => ({ failure: failureOf({ thrown }) }))
        .then((outcome) => {
          if (controller.signal.aborted) return;
          setState((s) => ("data" in outcome ? { data: outcome.data, loading: false, failure: null } : { data: s.data, loading: false, failure: outcome.failure }));
        });
      return () => controller.abort();
    },
    // The caller's dependencies, as with useEffect (checked at the call site by react-hooks/exhaustive-deps).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [...deps, attempt],
  );

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const mutate = useCallback((update: (data: T | undefined) => T | undefined) => setState((s) => ({ ...s, data: update(s.data) })), []);
  return { ...state, reload, mutate };
}
