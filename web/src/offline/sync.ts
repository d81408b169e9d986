/** Follows a ledger's change feed (GET /api/v1/ledgers/{id}/changes?since=SEQ, docs/API.md) into IndexedDB:
 * each page's upserts and deletions are stored with the new cursor in one transaction, so a reader never sees
 * half a page; a 410 cursor_expired starts again from 0 (every row is read again); an unchanged feed is a 304
 * (If-None-Match). What the app reads offline comes from these rows (offline/store.ts). */
import { applyChanges, type Change, feedState, restartFeed } from "./store";
import { put } from "./idb";

export interface FeedPage {
  changes: Change[];
  next: number;
  has_more: boolean;
  ledger_seq?: number;
}

export type SyncResult = "synced" | "unchanged" | "offline" | "unavailable";

export const PAGE_SIZE = 500;
/** At most this many pages in one go (a very long backlog continues at the next sync). */
const MAX_PAGES = 200;

const running = new Map<number, Promise<SyncResult>>();

/** Brings the ledger's rows up to date; one run per ledger at a time in a tab. */
export function syncLedger(ledgerId: number, startDay: number, fetch: (request: Request) => Promise<Response>): Promise<SyncResult> {
  let run = running.get(ledgerId);
  if (!run) {
    run = follow(ledgerId, startDay, fetch).finally(() => running.delete(ledgerId));
    running.set(ledgerId, run);
  }
  return run;
}

async function follow(ledgerId: number, startDay: number, fetch: (request: Request) => Promise<Response>): Promise<SyncResult> {
  let restarted = false;
  let changed = false;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const state = await feedState(ledgerId);
    const since = state?.seq ?? 0;
    const headers: Record<string, string> = state?.etag ? { "If-None-Match": state.etag } : {};
    let response: Response;
    try {
      response = await fetch(new Request(`/api/v1/ledgers/${ledgerId}/changes?since=${since}&limit=${PAGE_SIZE}`, { headers }));
    } catch {
      return "offline";
    }
    if (response.status === 304 && state) {
      await put("meta", `feed:${ledgerId}`, { ...state, at: Date.now() });
      return changed ? "synced" : "unchanged";
    }
    if (response.status === 410 && !restarted) {
      restarted = true; // cursor_expired: the tombstones we missed are purged; read everything again
      await restartFeed(ledgerId);
      continue;
    }
    if (!response.ok) return "unavailable";
    let body: FeedPage;
    try {
      body = (await response.json()) as FeedPage;
    } catch {
      return "unavailable";
    }
    if (!Array.isArray(body.changes) || typeof body.next !== "number") return "unavailable";
    // The ETag belongs to the last page only (the one a later If-None-Match asks about).
    await applyChanges(ledgerId, body.changes, body.next, startDay, body.has_more ? null : response.headers.get("ETag"));
    changed ||= body.changes.length > 0;
    if (!body.has_more) return changed ? "synced" : "unchanged";
  }
  return "synced";
}
