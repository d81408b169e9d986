/** The chosen ledger: the one place that sends the ledger's paths to it (api/ledgerScope.ts), and the choice
 * remembered per device and person (ledgers.ts). */
import { describe, expect, it, vi } from "vitest";
import { createApi } from "../src/api/client";
import { type LedgerScope, scopedFetch, scopedPath } from "../src/api/ledgerScope";
import { type Ledger, pickLedger, rememberedLedger, rememberKey, rememberLedger } from "../src/ledgers";

const ORIGIN = "http://ledger.test";

describe("scopedPath", () => {
  it.each([
    ["/api/v1/accounts", "/api/v1/ledgers/7/accounts"],
    ["/api/v1/accounts/3", "/api/v1/ledgers/7/accounts/3"],
    ["/api/v1/categories/12", "/api/v1/ledgers/7/categories/12"],
    ["/api/v1/entries", "/api/v1/ledgers/7/entries"],
    ["/api/v1/entries/export.csv", "/api/v1/ledgers/7/entries/export.csv"],
    ["/api/v1/entries/import", "/api/v1/ledgers/7/entries/import"],
    ["/api/v1/budgets/2026-11", "/api/v1/ledgers/7/budgets/2026-11"],
    ["/api/v1/reports/monthly", "/api/v1/ledgers/7/reports/monthly"],
    ["/api/v1/reports/trend", "/api/v1/ledgers/7/reports/trend"],
  ])("sends %s to the chosen ledger", (path, scoped) => {
    expect(scopedPath(path, 7)).toBe(scoped);
  });

  it.each([
    "/api/v1/me",
    "/api/v1/ledgers",
    "/api/v1/ledgers/7/members",
    "/api/v1/ledgers/3/entries",
    "/api/v1/invites/abc",
    "/api/v1/auth/refresh",
    "/api/v1/currencies",
    "/api/v1/accountsx",
    "/accounts",
  ])("leaves %s alone", (path) => {
    expect(scopedPath(path, 7)).toBe(path);
  });

  it("leaves every path alone while no ledger is chosen", () => {
    expect(scopedPath("/api/v1/entries", null)).toBe("/api/v1/entries");
  });
});

function recorder(status = 200) {
  const sent: Request[] = [];
  const fetch = vi.fn(async (request: Request) => {
    sent.push(request);
    return new Response(status === 204 ? null : JSON.stringify({ items: [], next_cursor: null }), { status, headers: { "Content-Type": "application/json" } });
  });
  return { sent, fetch };
}

function scope(id: number | null) {
  const refused = vi.fn<(id: number) => void>();
  return { current: () => id, refused } satisfies LedgerScope;
}

describe("scopedFetch", () => {
  it("keeps the query, the method, the headers and the body of a rewritten request", async () => {
    const { sent, fetch } = recorder(201);
    const body = JSON.stringify({ type: "expense", amount: 1200 });
    await scopedFetch(
      fetch,
      scope(7),
    )(new Request(`${ORIGIN}/api/v1/entries?dry_run=true`, { method: "POST", headers: { "Idempotency-Key": "k1", "Content-Type": "application/json" }, body }));
    const request = sent[0]!;
    expect(request.url).toBe(`${ORIGIN}/api/v1/ledgers/7/entries?dry_run=true`);
    expect(request.method).toBe("POST");
    expect(request.headers.get("Idempotency-Key")).toBe("k1");
    expect(await request.text()).toBe(body);
  });

  it("sends a path of no ledger as it was", async () => {
    const { sent, fetch } = recorder();
    const request = new Request(`${ORIGIN}/api/v1/me`);
    await scopedFetch(fetch, scope(7))(request);
    expect(sent[0]).toBe(request);
  });

  it("is the path every typed call takes: the screens call the unscoped paths", async () => {
    const { sent, fetch } = recorder();
    const api = createApi(scopedFetch(fetch, scope(42)), ORIGIN);
    await api.GET("/api/v1/entries", { params: { query: { month: "2026-11", limit: 50 } } });
    await api.PATCH("/api/v1/accounts/{account_id}", { params: { path: { account_id: 5 } }, body: { archived: true } });
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`)).toEqual([
      "GET /api/v1/ledgers/42/entries?month=2026-11&limit=50",
      "PATCH /api/v1/ledgers/42/accounts/5",
    ]);
    expect(await sent[1]!.json()).toEqual({ archived: true });
  });

  it.each([404, 403])("tells of a call to the chosen ledger refused with %i (removed, or a lower role)", async (status) => {
    const { fetch } = recorder(status);
    const chosen = scope(7);
    const response = await scopedFetch(fetch, chosen)(new Request(`${ORIGIN}/api/v1/entries`));
    expect(response.status).toBe(status);
    expect(chosen.refused).toHaveBeenCalledWith(7);
  });

  it("tells nothing of an answer that was not refused, or of a path of no ledger", async () => {
    const ok = scope(7);
    await scopedFetch(recorder(200).fetch, ok)(new Request(`${ORIGIN}/api/v1/entries`));
    const me = scope(7);
    await scopedFetch(recorder(404).fetch, me)(new Request(`${ORIGIN}/api/v1/me`));
    expect(ok.refused).not.toHaveBeenCalled();
    expect(me.refused).not.toHaveBeenCalled();
  });
});

const ledger = (id: number, role: Ledger["role"] = "owner"): Ledger => ({
  id,
  name: `Ledger ${id}`,
  currency: "KRW",
  month_start_day: 1,
  timezone: "Asia/Seoul",
  role,
  member_count: 1,
  created_at: "2026-11-01T00:00:00Z",
});

function memoryStorage(): Storage {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
    clear: () => values.clear(),
    key: (i) => [...values.keys()][i] ?? null,
    get length() {
      return values.size;
    },
  };
}

describe("the remembered ledger", () => {
  it("is kept per person on one device", () => {
    const storage = memoryStorage();
    rememberLedger(storage, "1", 7);
    rememberLedger(storage, "2", 9);
    expect(rememberedLedger(storage, "1")).toBe(7);
    expect(rememberedLedger(storage, "2")).toBe(9);
    expect(rememberedLedger(storage, "3")).toBeNull();
  });

  it("is nothing when the stored value is not an id, or storage is unavailable", () => {
    const storage = memoryStorage();
    for (const value of ["", "abc", "0", "-3", "7.5", "07"]) {
      storage.setItem(rememberKey("1"), value);
      expect(rememberedLedger(storage, "1"), value).toBeNull();
    }
    const broken = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(rememberedLedger(broken, "1")).toBeNull();
    expect(() => rememberLedger(broken, "1", 7)).not.toThrow();
    expect(rememberedLedger(null, "1")).toBeNull();
  });

  it("is chosen while the person is still a member of it", () => {
    expect(pickLedger([ledger(1), ledger(7, "viewer")], 7, 1)?.id).toBe(7);
  });

  it("gives way to the default ledger once it is gone (left, removed, deleted)", () => {
    expect(pickLedger([ledger(1), ledger(3)], 7, 3)?.id).toBe(3);
    expect(pickLedger([ledger(1), ledger(3)], null, 3)?.id).toBe(3);
  });

  it("falls back on the first ledger when the default is gone too, and on none when there is none", () => {
    expect(pickLedger([ledger(4), ledger(5)], 7, 9)?.id).toBe(4);
    expect(pickLedger([], 7, 9)).toBeNull();
  });
});
