/** Entries written while the server can't be reached: kept in IndexedDB with their Idempotency-Key (a new entry)
 * or If-Match (an edit, a deletion), shown as "not yet sent", and sent when the network is back and when the app
 * is opened again (docs/SPA-AUTH.md "Offline").
 *
 * Exactly once: one tab at a time sends (the Web Lock "ledger-outbox"), each item is read again inside the lock
 * (another tab may have sent it), and a new entry always goes with the same Idempotency-Key, so an answer lost
 * when the connection dropped mid-send is answered again by the server instead of recorded twice. An item the
 * server refused (422, 403, 409, 412) stays, with its problem code, until the person edits or discards it. */
import { withLock } from "../auth/lock";
import { byPrefix, del, get, put } from "./idb";
import { currentOwner } from "./store";

export type Op = "create" | "update" | "delete";

export interface OutboxItem {
  /** the Idempotency-Key of a new entry (also the item's key) */
  key: string;
  /** who wrote it (never sent by another person's session) */
  owner: string;
  ledgerId: number;
  op: Op;
  entryId: number | null;
  ifMatch: string | null;
  /** the request's JSON body (none for a deletion) */
  body: Record<string, unknown> | null;
  /** when it was written (the order of sending) */
  at: number;
  state: "pending" | "refused";
  /** why the server refused it: its HTTP status and problem code */
  status?: number;
  code?: string;
}

/** What sending one item gave. */
export type Sent = { outcome: "sent" } | { outcome: "network" } | { outcome: "refused"; status: number; code: string };

export const LOCK = "ledger-outbox";
const CHANNEL = "ledger-outbox";
const listeners = new Set<() => void>();
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
channel?.addEventListener("message", () => notify(false));

function notify(broadcast = true): void {
  for (const listener of listeners) listener();
  if (broadcast) channel?.postMessage("changed");
}

/** Hears of every change of the outbox, in this tab and the others; returns the unsubscribe. */
export function onOutbox(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Keys sort by time, so a ledger's items come back in the order they were written.
const itemKey = (item: Pick<OutboxItem, "ledgerId" | "at" | "key">) => `${item.ledgerId}:${String(item.at).padStart(15, "0")}:${item.key}`;

export async function enqueue(item: Omit<OutboxItem, "at" | "state" | "owner"> & { at?: number }): Promise<OutboxItem> {
  const owner = currentOwner();
  if (owner === null) throw new Error("nobody is signed in");
  const full: OutboxItem = { ...item, owner, at: item.at ?? Date.now(), state: "pending" };
  await put("outbox", itemKey(full), full);
  notify();
  return full;
}

export function items(ledgerId: number): Promise<OutboxItem[]> {
  return byPrefix<OutboxItem>("outbox", `${ledgerId}:`).catch(() => []);
}

export async function discard(item: OutboxItem): Promise<void> {
  await del("outbox", itemKey(item));
  notify();
}

/** An edited refused item goes back in the queue (a new entry keeps its key only if its body is unchanged). */
export async function replace(item: OutboxItem, changes: Partial<Pick<OutboxItem, "body" | "ifMatch" | "key">>): Promise<void> {
  await del("outbox", itemKey(item));
  const next: OutboxItem = { ...item, ...changes, state: "pending" };
  delete next.status;
  delete next.code;
  await put("outbox", itemKey(next), next);
  notify();
}

let flushing: Promise<"done" | "network"> | null = null;

/** Sends what is pending, oldest first, until the network fails ("network": the rest waits for the next try);
 * one flush at a time per tab, one tab at a time. */
export function flush(send: (item: OutboxItem) => Promise<Sent>, locks = typeof navigator === "undefined" ? undefined : navigator.locks): Promise<"done" | "network"> {
  flushing ??= withLock({ locks, name: LOCK, timeoutMs: 60_000 }, async (): Promise<"done" | "network"> => {
    let changed = false;
    try {
      for (const listed of await byPrefix<OutboxItem>("outbox", "")) {
        if (listed.state !== "pending" || listed.owner !== currentOwner()) continue;
        const item = await get<OutboxItem>("outbox", itemKey(listed)); // still there? (another tab may have sent it)
        if (!item || item.state !== "pending") continue;
        const result = await send(item);
        if (result.outcome === "network") return "network"; // the rest waits: the order is kept
        changed = true;
        if (result.outcome === "sent") await del("outbox", itemKey(item));
        else await put("outbox", itemKey(item), { ...item, state: "refused", status: result.status, code: result.code } satisfies OutboxItem);
      }
      return "done";
    } finally {
      if (changed) notify();
    }
  }).finally(() => {
    flushing = null;
  });
  return flushing;
}
