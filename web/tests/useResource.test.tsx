import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApi } from "../src/api/client";
import type { Failure } from "../src/api/problem";
import { type Loaded, type Resource, useResource } from "../src/useResource";

let root: HTMLElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

/** A load the test answers when it likes, and the signal it was given. */
interface Pending<T> {
  signal: AbortSignal;
  answer: (outcome: Loaded<T>) => Promise<void>;
}

/** A loader whose every call waits for the test, in call order. */
function controlled<T>() {
  const calls: Pending<T>[] = [];
  const load = (signal: AbortSignal) =>
    new Promise<Loaded<T>>((resolve) => {
      calls.push({
        signal,
        answer: (outcome) =>
          act(async () => {
            resolve(outcome);
            await Promise.resolve();
          }),
      });
    });
  return { calls, load };
}

const NETWORK: Failure = { kind: "network" };

/** Renders a component that uses the hook with `deps`; returns every state it rendered, the latest last. */
function Probe<T>({ load, deps, seen }: { load: (signal: AbortSignal) => Promise<Loaded<T>>; deps: unknown[]; seen: Resource<T>[] }) {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the test passes the loader and its dependencies in
  const resource = useResource(load, deps);
  seen.push(resource);
  return null;
}

async function mount<T>(load: (signal: AbortSignal) => Promise<Loaded<T>>, deps: unknown[], seen: Resource<T>[]) {
  await act(() => render(<Probe load={load} deps={deps} seen={seen} />, root));
}

const latest = <T,>(seen: Resource<T>[]) => {
  const last = seen[seen.length - 1];
  if (!last) throw new Error("never rendered");
  return { data: last.data, loading: last.loading, failure: last.failure };
};

describe("useResource", () => {
  it("is loading, then has the data", async () => {
    const { calls, load } = controlled<string>();
    const seen: Resource<string>[] = [];
    await mount(load, ["a"], seen);
    expect(latest(seen)).toEqual({ data: undefined, loading: true, failure: null });
    expect(calls).toHaveLength(1);

    await calls[0]!.answer({ data: "ledger" });

    expect(latest(seen)).toEqual({ data: "ledger", loading: false, failure: null });
  });

  it("reports a failure, and Retry (reload) loads again until the data comes", async () => {
    const { calls, load } = controlled<string>();
    const seen: Resource<string>[] = [];
    await mount(load, [], seen);
    await calls[0]!.answer({ failure: NETWORK });
    expect(latest(seen)).toEqual({ data: undefined, loading: false, failure: NETWORK });

    await act(() => seen[seen.length - 1]!.reload());
    expect(calls).toHaveLength(2);
    expect(latest(seen)).toEqual({ data: undefined, loading: true, failure: null }); // the old failure is gone

    await calls[1]!.answer({ data: "second time lucky" });
    expect(latest(seen)).toEqual({ data: "second time lucky", loading: false, failure: null });
  });

  it("a thrown error is a failure, not an unhandled rejection", async () => {
    const seen: Resource<string>[] = [];
    await mount(() => Promise.reject(new TypeError("Failed to fetch")), [], seen);
    await act(() => Promise.resolve());
    expect(latest(seen)).toEqual({ data: undefined, loading: false, failure: NETWORK });
  });

  it("keeps showing the last data while the next dependencies load, and drops the older load's late answer", async () => {
    const { calls, load } = controlled<string>();
    const seen: Resource<string>[] = [];
    await mount(load, ["2026-10"], seen);
    await calls[0]!.answer({ data: "October" });

    await mount(load, ["2026-11"], seen);
    expect(calls).toHaveLength(2);
    expect(latest(seen)).toEqual({ data: "October", loading: true, failure: null });

    await mount(load, ["2026-12"], seen);
    expect(calls[1]!.signal.aborted).toBe(true); // November is no longer wanted
    await calls[2]!.answer({ data: "December" });
    await calls[1]!.answer({ data: "November" }); // late: ignored
    expect(latest(seen)).toEqual({ data: "December", loading: false, failure: null });
  });

  it("keeps the last data when a reload fails", async () => {
    const { calls, load } = controlled<string>();
    const seen: Resource<string>[] = [];
    await mount(load, [], seen);
    await calls[0]!.answer({ data: "kept" });
    await act(() => seen[seen.length - 1]!.reload());
    await calls[1]!.answer({ failure: NETWORK });
    expect(latest(seen)).toEqual({ data: "kept", loading: false, failure: NETWORK });
  });

  it("does not load again when it re-renders with the same dependencies", async () => {
    const { calls, load } = controlled<string>();
    const seen: Resource<string>[] = [];
    await mount(load, ["same"], seen);
    await mount(load, ["same"], seen);
    expect(calls).toHaveLength(1);
  });

  it("mutate changes the data in place, without a load", async () => {
    const { calls, load } = controlled<number[]>();
    const seen: Resource<number[]>[] = [];
    await mount(load, [], seen);
    await calls[0]!.answer({ data: [1, 2, 3] });
    await act(() => seen[seen.length - 1]!.mutate((list) => list?.filter((n) => n !== 2)));
    expect(latest(seen)).toEqual({ data: [1, 3], loading: false, failure: null });
    expect(calls).toHaveLength(1);
  });

  it("on unmount aborts the load and sets nothing from its answer", async () => {
    const { calls, load } = controlled<string>();
    const seen: Resource<string>[] = [];
    await mount(load, [], seen);
    const renders = seen.length;

    await act(() => render(null, root));
    expect(calls[0]!.signal.aborted).toBe(true);
    await calls[0]!.answer({ data: "too late" });

    expect(seen).toHaveLength(renders);
    expect(seen.every((state) => state.data === undefined)).toBe(true);
  });

  it("the signal reaches the request openapi-fetch sends: unmounting aborts it", async () => {
    const sent: Request[] = [];
    const api = createApi((request) => {
      sent.push(request);
      return new Promise<Response>((_resolve, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
    });
    const seen: Resource<unknown>[] = [];
    const load = async (signal: AbortSignal): Promise<Loaded<unknown>> => {
      const { data } = await api.GET("/api/v1/me", { signal });
      return { data };
    };
    await mount(load, [], seen);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.signal.aborted).toBe(false);

    await act(() => render(null, root));
    expect(sent[0]!.signal.aborted).toBe(true);
    await act(() => Promise.resolve());
    expect(seen.every((state) => state.failure === null)).toBe(true); // the abort is not shown as a failure
  });
});
