/** What this device keeps of the signed-in person's ledgers, for reading offline (docs/SPA-AUTH.md "Offline"):
 * whose it is, the JSON of GET answers (by their ledger-scoped path), the change feed's rows and cursor, and
 * whether the app is showing kept data now (the banner "offline — showing data as of HH:MM"). */
import { monthBounds, parseMonth } from "../months";
import { available, byPrefix, clearAll, get, put, transact } from "./idb";

export interface Kept {
  body: string;
  /** when the server said it (ms since the epoch) */
  at: number;
}

/** The feed's row kinds that the app reads offline. */
export type Kind = "entries" | "accounts" | "categories";
export interface Change {
  seq: number;
  kind: string;
  id: number;
  op: "upsert" | "delete";
  data: unknown;
}

// --- whose data ---------------------------------------------------------------------------------------------

let owner: string | null = null;
let claiming: Promise<void> = Promise.resolve();

/** The person signed in now: when someone else's data is kept, it is all deleted first. */
export function claim(userId: string): Promise<void> {
  owner = userId;
  claiming = (async () => {
    if (!available()) return;
    const kept = await get<string>("meta", "owner").catch(() => undefined);
    if (kept === userId) return;
    await clearAll();
    await put("meta", "owner", userId);
  })().catch(() => undefined);
  return claiming;
}

/** The person whose data is kept (to open offline when the server can't say who is signed in), or null. */
export async function keptOwner(): Promise<string | null> {
  if (!available()) return null;
  return (await get<string>("meta", "owner").catch(() => undefined)) ?? null;
}

/** Sign-out: nothing of the person stays on this device (the outbox included). */
export function forget(): Promise<void> {
  owner = null;
  setStatus({ offline: false, asOf: null });
  claiming = available() ? clearAll().catch(() => undefined) : Promise.resolve();
  return claiming;
}

export const currentOwner = () => owner;

// --- the banner -------------------------------------------------------------------------------------------

export interface Status {
  /** the screen shows kept data: the server could not be reached */
  offline: boolean;
  /** when the oldest kept answer on screen was fresh */
  asOf: number | null;
}
let status: Status = { offline: false, asOf: null };
const listeners = new Set<(status: Status) => void>();

export const currentStatus = () => status;
export function onStatus(listener: (status: Status) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
export function setStatus(next: Status): void {
  if (next.offline === status.offline && next.asOf === status.asOf) return;
  status = next;
  for (const listener of listeners) listener(status);
}
function servedKept(at: number): void {
  setStatus({ offline: true, asOf: status.offline && status.asOf !== null ? Math.min(status.asOf, at) : at });
}
let reachedAt: number | null = null;
export const lastReached = () => reachedAt;
export function reachedServer(): void {
  reachedAt = Date.now();
  if (status.offline) setStatus({ offline: false, asOf: null });
}

// --- GET answers ------------------------------------------------------------------------------------------

/** Paths whose answers are kept: the person, their ledgers, and a ledger's own data. Never /auth, never a token. */
const KEPT = /^\/api\/v1\/(me|currencies|ledgers|ledgers\/\d+\/(accounts|categories|entries|reports\/monthly|budgets|members))$/;

export function keptKey(url: URL): string | null {
  return KEPT.test(url.pathname) ? url.pathname + url.search : null;
}

export async function keep(key: string, body: string, at = Date.now()): Promise<void> {
  const mine = owner;
  await claiming;
  if (mine === null || mine !== owner || !available()) return;
  await put("cache", key, { body, at } satisfies Kept);
}

/** A kept answer for `key`, refreshed by the feed's rows when the feed has run for its ledger. */
export async function kept(key: string): Promise<Kept | null> {
  if (!available()) return null;
  const url = new URL(key, "http://x");
  const match = /^\/api\/v1\/ledgers\/(\d+)\/(accounts|categories|entries)$/.exec(url.pathname);
  const hit = (await get<Kept>("cache", key).catch(() => undefined)) ?? null;
  if (!match) return hit;
  const ledgerId = Number(match[1]);
  const kind = match[2] as Kind;
  const feed = await feedState(ledgerId);
  if (!feed) return hit;
  const rows = await byPrefix<{ id: number; data: Record<string, unknown> | null; at: number }>("rows", rowPrefix(ledgerId, kind));
  if (kind === "entries") {
    // a month's entries (the list's own query), from the feed's rows: every month is there, not only those seen
    const month = parseMonth(url.searchParams.get("month"));
    const onlyMonth = [...url.searchParams.keys()].every((name) => name === "month" || name === "limit");
    if (!month || !onlyMonth || feed.startDay === undefined) return hit;
    const { from, to } = monthBounds(month, feed.startDay);
    const items = rows.flatMap((r) => (r.data && String(r.data.occurred_on) >= from && String(r.data.occurred_on) <= to ? [r.data] : []));
    items.sort((a, b) => String(b.occurred_on).localeCompare(String(a.occurred_on)) || Number(b.id) - Number(a.id));
    return { body: JSON.stringify({ items, next_cursor: null }), at: feed.at };
  }
  if (!hit) return null;
  // accounts and categories: the kept list with the rows the feed brought after it laid over it (an account's
  // row in the feed has its balance as of that page; a kept list answered later is fresher)
  const body = JSON.parse(hit.body) as { items: Record<string, unknown>[] };
  const newer = new Map(rows.filter((r) => r.at >= hit.at).map((r) => [r.id, r.data]));
  // in place (the server's order), a deleted one left out, a new one at the end
  const items = body.items.flatMap((item) => {
    const id = Number(item.id);
    if (!newer.has(id)) return [item];
    const data = newer.get(id);
    newer.delete(id);
    return data ? [data] : [];
  });
  for (const data of newer.values()) if (data) items.push(data);
  return { body: JSON.stringify({ ...body, items }), at: rows.some((r) => r.at >= hit.at) ? Math.max(hit.at, feed.at) : hit.at };
}

/** `fetch` that keeps the answers of KEPT paths and, when the network fails, answers with the kept one. */
export function keepingFetch(inner: (request: Request) => Promise<Response>, isSignedOut: (error: unknown) => boolean) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const key = request.method === "GET" ? keptKey(url) : null;
    if (key === null) return inner(request);
    let response: Response;
    try {
      response = await inner(request);
    } catch (error) {
      if (isSignedOut(error)) throw error;
      const hit = await kept(key).catch(() => null);
      if (!hit) throw error;
      servedKept(hit.at);
      return new Response(hit.body, { status: 200, headers: { "Content-Type": "application/json", "X-Ledger-Kept-At": String(hit.at) } });
    }
    reachedServer();
    if (response.ok) {
      const body = await response.clone().text();
      void keep(key, body).catch(() => undefined);
    }
    return response;
  };
}

// --- the change feed's rows -------------------------------------------------------------------------------

export interface FeedState {
  seq: number;
  at: number;
  /** the ledger's month_start_day, for a month's entries read from the rows */
  startDay?: number;
  /** the feed's ETag after the last page (If-None-Match) */
  etag?: string | null;
}

const rowPrefix = (ledgerId: number, kind: string) => `${ledgerId}:${kind}:`;
const rowKey = (ledgerId: number, kind: string, id: number) => `${rowPrefix(ledgerId, kind)}${String(id).padStart(12, "0")}`;

export const feedState = (ledgerId: number) => get<FeedState>("meta", `feed:${ledgerId}`).catch(() => undefined);

/** A page of the feed applied in one transaction: upserts stored, deletions removed, the cursor moved. */
export async function applyChanges(ledgerId: number, changes: Change[], next: number, startDay: number, etag: string | null = null, at = Date.now()): Promise<void> {
  const mine = owner;
  await claiming;
  if (mine === null || mine !== owner) return;
  await transact(["rows", "meta"], "readwrite", async (tx) => {
    const rows = tx.objectStore("rows");
    const meta = tx.objectStore("meta");
    const previous = await new Promise<FeedState | undefined>((resolve, reject) => {
      const req = meta.get(`feed:${ledgerId}`);
      req.onsuccess = () => resolve(req.result as FeedState | undefined);
      req.onerror = () => reject(req.error);
    });
    for (const change of changes) {
      const key = rowKey(ledgerId, change.kind, change.id);
      // a deletion stays as a tombstone (data: null), so that it also hides the row in a kept list
      rows.put({ id: change.id, data: change.op === "delete" ? null : change.data, at }, key);
    }
    meta.put({ ...previous, seq: next, at, startDay, etag } satisfies FeedState, `feed:${ledgerId}`);
  });
}

/** A cursor too old for the server (410 cursor_expired): the ledger's rows are read again from the start. */
export async function restartFeed(ledgerId: number): Promise<void> {
  const keys = await transact("rows", "readonly", (tx) => {
    const req = tx.objectStore("rows").getAllKeys(IDBKeyRange.bound(`${ledgerId}:`, `${ledgerId}:\uffff`));
    return new Promise<IDBValidKey[]>((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  });
  await transact(["rows", "meta"], "readwrite", (tx) => {
    for (const key of keys) tx.objectStore("rows").delete(key);
    tx.objectStore("meta").delete(`feed:${ledgerId}`);
  });
}

export const rowsOf = <T>(ledgerId: number, kind: string) =>
  byPrefix<{ id: number; data: T | null }>("rows", rowPrefix(ledgerId, kind)).then((rows) => rows.flatMap((r) => (r.data === null ? [] : [r.data])));
