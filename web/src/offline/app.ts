/** The offline story wired to the app (docs/SPA-AUTH.md "Offline"): whose data is kept, sending the outbox,
 * following the feed, and, when the network comes back, a refresh first and then the outbox. */
import { problemCode } from "../auth/session";
import { formatMonth, monthOf } from "../months";
import { auth, ledgerFetch } from "../services";
import { flush, type OutboxItem, type Sent } from "./outbox";
import { claim, currentStatus, forget, lastReached, setStatus } from "./store";
import { syncLedger } from "./sync";

/** One queued write, sent as it was written: the same Idempotency-Key, the same If-Match. */
export async function send(item: OutboxItem): Promise<Sent> {
  const base = `/api/v1/ledgers/${item.ledgerId}/entries`;
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (item.op === "create") headers["Idempotency-Key"] = item.key;
  if (item.ifMatch) headers["If-Match"] = item.ifMatch;
  const method = item.op === "create" ? "POST" : item.op === "update" ? "PATCH" : "DELETE";
  const url = item.op === "create" ? base : `${base}/${item.entryId}`;
  let response: Response;
  try {
    response = await auth.fetch(new Request(url, { method, headers, body: item.body ? JSON.stringify(item.body) : null }));
  } catch {
    // no network, the refresh could not be done now, or nobody signed in: it stays queued
    return { outcome: "network" };
  }
  if (response.ok || (item.op === "delete" && response.status === 404)) return { outcome: "sent" };
  if (response.status >= 500 || response.status === 429 || response.status === 401) return { outcome: "network" };
  return { outcome: "refused", status: response.status, code: (await problemCode(response)) || `http_${response.status}` };
}

/** How long after a send that failed for want of a network (while the browser says it is online) to try again. */
export const RETRY_MS = 5_000;
let retry: ReturnType<typeof setTimeout> | undefined;

/** Sends the outbox (signed in only); a send cut off mid-way is tried again a little later, with the same key. */
export async function flushOutbox(): Promise<void> {
  if (auth.state.status !== "signed-in") return;
  const result = await flush(send).catch(() => "network" as const);
  clearTimeout(retry);
  if (result === "network" && navigator.onLine) retry = setTimeout(() => void flushOutbox(), RETRY_MS);
}

/** The ledger's rows from the feed, and this month's report and entries kept for reading offline. */
export async function syncNow(ledgerId: number, startDay: number): Promise<void> {
  // Only an app that can open offline (its service worker controls the page) keeps its ledger fresh.
  if (auth.state.status !== "signed-in" || !navigator.serviceWorker?.controller) return;
  await syncLedger(ledgerId, startDay, auth.fetch).catch(() => undefined);
  const month = formatMonth(monthOf(new Date(), startDay));
  // through ledgerFetch, which keeps the answers (offline/store.ts keepingFetch)
  const get = (path: string) => ledgerFetch(new Request(new URL(path, location.origin)));
  await Promise.all([get(`/api/v1/ledgers/${ledgerId}/reports/monthly?month=${month}`), get(`/api/v1/ledgers/${ledgerId}/entries?month=${month}&limit=50`)]).catch(() => undefined);
}

/** Called once at start-up (main.tsx). */
export function startOffline(): void {
  auth.subscribe((state) => {
    if (state.status === "signed-in") void claim(state.userId).then(flushOutbox);
    else if (state.status === "signed-out") void forget();
  });
  window.addEventListener("offline", () => setStatus({ offline: true, asOf: currentStatus().asOf ?? lastReached() }));
  window.addEventListener("online", () => void backOnline());
}

/** The network is back: the session first (a refresh, or the start-up that could not be done), then the outbox. */
export async function backOnline(): Promise<void> {
  if (auth.state.status === "unreachable") await auth.start();
  else if (auth.state.status === "signed-in") await auth.refresh().catch(() => undefined);
  await flushOutbox();
}
