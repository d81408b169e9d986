/** The offline modules over fake-indexeddb: whose data is kept, the kept answers, the feed's rows, the outbox. */
import { IDBFactory, IDBKeyRange as FakeKeyRange } from "fake-indexeddb";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SignedOutError } from "../src/auth/session";
import { byPrefix, get, useFactory } from "../src/offline/idb";
import { enqueue, flush, items, type OutboxItem, type Sent } from "../src/offline/outbox";
import { claim, currentStatus, forget, kept, keepingFetch, keptOwner } from "../src/offline/store";
import { syncLedger } from "../src/offline/sync";

vi.stubGlobal("IDBKeyRange", FakeKeyRange);

const URL_BASE = "http://ledger.test";
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const request = (path: string) => new Request(URL_BASE + path);

beforeEach(async () => {
  const factory = new IDBFactory();
  useFactory(() => factory);
  await claim("1");
});

describe("whose data is kept", () => {
  it("keeps one person's answers, and deletes them all when someone else signs in", async () => {
    const fetch = keepingFetch(
      async () => json({ items: [{ id: 1, name: "Cash" }] }),
      () => false,
    );
    await fetch(request("/api/v1/ledgers/1/accounts"));
    await vi.waitFor(async () => expect(await kept("/api/v1/ledgers/1/accounts")).not.toBeNull());
    expect(await keptOwner()).toBe("1");
    await claim("2");
    expect(await kept("/api/v1/ledgers/1/accounts")).toBeNull();
    expect(await keptOwner()).toBe("2");
  });

  it("forgets everything at sign-out, the outbox included", async () => {
    await enqueue({ key: "k1", ledgerId: 1, op: "create", entryId: null, ifMatch: null, body: { amount: 1 } });
    await forget();
    expect(await items(1)).toEqual([]);
    expect(await keptOwner()).toBeNull();
  });
});

describe("keepingFetch", () => {
  it("answers with the kept JSON when the network fails, and says the app is offline", async () => {
    let online = true;
    const fetch = keepingFetch(
      async () => {
        if (!online) throw new TypeError("Failed to fetch");
        return json({ items: [{ id: 7 }] });
      },
      () => false,
    );
    await fetch(request("/api/v1/ledgers/1/entries?month=2026-12&limit=50"));
    await vi.waitFor(async () => expect(await kept("/api/v1/ledgers/1/entries?month=2026-12&limit=50")).not.toBeNull());
    online = false;
    const answer = await fetch(request("/api/v1/ledgers/1/entries?month=2026-12&limit=50"));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ items: [{ id: 7 }] });
    expect(currentStatus().offline).toBe(true);
    expect(currentStatus().asOf).toEqual(expect.any(Number));
    online = true;
    await fetch(request("/api/v1/ledgers/1/entries?month=2026-12&limit=50"));
    expect(currentStatus().offline).toBe(false);
  });

  it("never keeps auth paths, and lets a sign-out through", async () => {
    const inner = vi.fn(async () => json({ access_token: "secret" }));
    const fetch = keepingFetch(inner, (error) => error instanceof SignedOutError);
    await fetch(request("/api/v1/auth/refresh"));
    expect(await byPrefix("cache", "")).toEqual([]);
    const signedOut = keepingFetch(
      async () => {
        throw new SignedOutError("signed_out");
      },
      (error) => error instanceof SignedOutError,
    );
    await expect(signedOut(request("/api/v1/me"))).rejects.toBeInstanceOf(SignedOutError);
  });

  it("fails as before when nothing is kept", async () => {
    const fetch = keepingFetch(
      async () => {
        throw new TypeError("Failed to fetch");
      },
      () => false,
    );
    await expect(fetch(request("/api/v1/ledgers/1/categories"))).rejects.toBeInstanceOf(TypeError);
  });
});

describe("the change feed", () => {
  const entry = (id: number, day: string, memo = "") => ({ id, occurred_on: day, memo, amount: 1000 });

  it("follows pages, deletions and a cursor_expired into rows; a month's entries are read from them", async () => {
    const pages: Record<string, Response | (() => Response)> = {
      "0": () =>
        json({
          changes: [
            { seq: 1, kind: "entries", id: 1, op: "upsert", data: entry(1, "2026-12-01", "one") },
            { seq: 2, kind: "entries", id: 2, op: "upsert", data: entry(2, "2026-12-03", "two") },
          ],
          next: 2,
          has_more: true,
        }),
      "2": () =>
        json({
          changes: [
            { seq: 3, kind: "entries", id: 1, op: "delete", data: null },
            { seq: 4, kind: "entries", id: 3, op: "upsert", data: entry(3, "2026-11-30", "november") },
          ],
          next: 4,
          has_more: false,
        }),
    };
    const seen: string[] = [];
    const fetch = async (req: Request) => {
      const since = new URL(req.url).searchParams.get("since") ?? "";
      seen.push(since);
      const answer = pages[since];
      return answer ? (typeof answer === "function" ? answer() : answer) : json({}, 404);
    };
    expect(await syncLedger(5, 1, fetch)).toBe("synced");
    expect(seen).toEqual(["0", "2"]);
    const december = await kept("/api/v1/ledgers/5/entries?month=2026-12&limit=50");
    expect(JSON.parse(december!.body).items.map((e: { memo: string }) => e.memo)).toEqual(["two"]);
    const november = await kept("/api/v1/ledgers/5/entries?month=2026-11");
    expect(JSON.parse(november!.body).items.map((e: { memo: string }) => e.memo)).toEqual(["november"]);

    // A cursor too old: every row is read again from 0.
    pages["4"] = () => json({ type: "about:blank", status: 410, code: "cursor_expired" }, 410);
    pages["0"] = () => json({ changes: [{ seq: 9, kind: "entries", id: 9, op: "upsert", data: entry(9, "2026-12-02", "fresh") }], next: 9, has_more: false });
    expect(await syncLedger(5, 1, fetch)).toBe("synced");
    const again = await kept("/api/v1/ledgers/5/entries?month=2026-12");
    expect(JSON.parse(again!.body).items.map((e: { memo: string }) => e.memo)).toEqual(["fresh"]);
    expect(await get("meta", "feed:5")).toMatchObject({ seq: 9, startDay: 1 });
  });

  it("lays the feed's rows over a kept list: a changed one in place, a deleted one gone, a new one added", async () => {
    const fetch = keepingFetch(
      async () =>
        json({
          items: [
            { id: 1, name: "Cash" },
            { id: 2, name: "Card" },
          ],
        }),
      () => false,
    );
    await fetch(request("/api/v1/ledgers/5/accounts"));
    await vi.waitFor(async () => expect(await kept("/api/v1/ledgers/5/accounts")).not.toBeNull());
    const feed = async () =>
      json({
        changes: [
          { seq: 1, kind: "accounts", id: 1, op: "upsert", data: { id: 1, name: "Wallet" } },
          { seq: 2, kind: "accounts", id: 2, op: "delete", data: null },
          { seq: 3, kind: "accounts", id: 3, op: "upsert", data: { id: 3, name: "Savings" } },
        ],
        next: 3,
        has_more: false,
      });
    await syncLedger(5, 1, feed);
    const list = JSON.parse((await kept("/api/v1/ledgers/5/accounts"))!.body).items;
    expect(list).toEqual([
      { id: 1, name: "Wallet" },
      { id: 3, name: "Savings" },
    ]);
  });

  it("is offline (nothing changes) when the network fails, and unavailable on another error", async () => {
    expect(
      await syncLedger(5, 1, async () => {
        throw new TypeError("Failed to fetch");
      }),
    ).toBe("offline");
    expect(await syncLedger(5, 1, async () => json({}, 500))).toBe("unavailable");
    expect(await get("meta", "feed:5")).toBeUndefined();
  });
});

describe("the outbox", () => {
  const add = (key: string, at: number) => enqueue({ key, ledgerId: 1, op: "create", entryId: null, ifMatch: null, body: { memo: key }, at });

  it("sends the oldest first and stops at the first network failure, keeping the order", async () => {
    await add("b", 2);
    await add("a", 1);
    await add("c", 3);
    const sent: string[] = [];
    let down = "b";
    const send = async (item: OutboxItem): Promise<Sent> => {
      if (item.key === down) return { outcome: "network" };
      sent.push(item.key);
      return { outcome: "sent" };
    };
    expect(await flush(send, undefined)).toBe("network");
    expect(sent).toEqual(["a"]);
    expect((await items(1)).map((i) => i.key)).toEqual(["b", "c"]);
    down = "";
    expect(await flush(send, undefined)).toBe("done");
    expect(sent).toEqual(["a", "b", "c"]);
    expect(await items(1)).toEqual([]);
  });

  it("keeps a refused item with its status and code, and goes on with the next", async () => {
    await add("bad", 1);
    await add("good", 2);
    const send = async (item: OutboxItem): Promise<Sent> => (item.key === "bad" ? { outcome: "refused", status: 422, code: "validation_error" } : { outcome: "sent" });
    await flush(send, undefined);
    expect(await items(1)).toEqual([expect.objectContaining({ key: "bad", state: "refused", status: 422, code: "validation_error" })]);
    await flush(send, undefined); // a refused one is not sent again by itself
    expect((await items(1)).length).toBe(1);
  });

  it("sends each item once when two flushes (two tabs) take turns under the lock", async () => {
    await add("x", 1);
    await add("y", 2);
    // A lock manager that runs its callbacks one after the other, as navigator.locks does.
    let queue: Promise<unknown> = Promise.resolve();
    const locks = {
      request: (_name: string, options: unknown, fn?: () => Promise<unknown>) => {
        const run = (fn ?? (options as () => Promise<unknown>)) as () => Promise<unknown>;
        const next = queue.then(run);
        queue = next.catch(() => undefined);
        return next;
      },
    } as unknown as LockManager;
    const sent: string[] = [];
    const send = async (item: OutboxItem): Promise<Sent> => {
      sent.push(item.key);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { outcome: "sent" };
    };
    // The second "tab" is another module instance in a browser; here, a second flush after the first's turn.
    await Promise.all([flush(send, locks), flush(send, locks).then(() => flush(send, locks))]);
    expect(sent).toEqual(["x", "y"]);
  });

  it("never sends one person's items in another's session", async () => {
    await add("theirs", 1);
    await claim("2"); // someone else signs in on this browser: the first person's outbox is gone with the rest
    const sent: string[] = [];
    await flush(async (item) => (sent.push(item.key), { outcome: "sent" }), undefined);
    expect(sent).toEqual([]);
    expect(await items(1)).toEqual([]);
  });
});
