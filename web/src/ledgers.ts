/** Which ledger this device works in: the choice (remembered per device and person), and what the screens read
 * of it (its currency, month start day, the person's role). The API calls follow the choice through
 * api/ledgerScope.ts; nothing else in the app names a ledger id. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Schemas } from "./api/client";
import type { LedgerScope } from "./api/ledgerScope";
import type { Messages } from "./i18n/en";

export type Ledger = Schemas["Ledger"];
export type Role = Ledger["role"];
export type Member = Schemas["Member"];

type ReadStorage = Pick<Storage, "getItem">;
type WriteStorage = Pick<Storage, "setItem">;

/** One key per person, so two people sharing a browser each come back to their own choice. */
export const rememberKey = (userId: string) => `ledger.ledger.${userId}`;

/** The ledger this person last chose on this device, or null (nothing kept, or storage unavailable). */
export function rememberedLedger(storage: ReadStorage | null, userId: string): number | null {
  try {
    const value = storage?.getItem(rememberKey(userId)) ?? null;
    return value !== null && /^[1-9][0-9]*$/.test(value) ? Number(value) : null;
  } catch {
    return null;
  }
}

export function rememberLedger(storage: WriteStorage | null, userId: string, id: number): void {
  try {
    storage?.setItem(rememberKey(userId), String(id));
  } catch {
    // private mode or a full storage: the choice lasts for this visit only
  }
}

/** The ledger to work in: the remembered one while the person is still a member, else their default ledger,
 * else the first they are in (null when they are in none). */
export function pickLedger(ledgers: readonly Ledger[], remembered: number | null, defaultId: number | null): Ledger | null {
  return ledgers.find((l) => l.id === remembered) ?? ledgers.find((l) => l.id === defaultId) ?? ledgers[0] ?? null;
}

export const canWrite = (role: Role) => role !== "viewer";

export function roleName(role: Role, t: Messages): string {
  return role === "owner" ? t.roleOwner : role === "editor" ? t.roleEditor : t.roleViewer;
}

/** The chosen ledger's id, read by every API call (api/ledgerScope.ts). */
let chosen: number | null = null;
const refusedListeners = new Set<(id: number) => void>();

export const ledgerScope: LedgerScope = {
  current: () => chosen,
  refused: (id) => {
    for (const listener of refusedListeners) listener(id);
  },
};

export function chooseLedger(id: number | null): void {
  chosen = id;
}

/** Hears of a call to a ledger that was refused (removed, deleted, or a lower role): returns the unsubscribe. */
export function onLedgerRefused(listener: (id: number) => void): () => void {
  refusedListeners.add(listener);
  return () => {
    refusedListeners.delete(listener);
  };
}

export interface LedgerChoice {
  /** The ledger the screens show. */
  ledger: Ledger;
  /** Every ledger the person is in. */
  ledgers: Ledger[];
  /** Works in another ledger from now on (remembered on this device); `notice` is said above its screen. */
  switchTo: (id: number, notice?: string) => void;
  /** Loads the list again (after a change of name, role or membership). */
  reload: () => Promise<void>;
}

export const LedgerContext = createContext<LedgerChoice | null>(null);

/** The chosen ledger; only inside the signed-in frame, which provides it. */
export function useLedger(): LedgerChoice {
  const choice = useContext(LedgerContext);
  if (!choice) throw new Error("useLedger outside the signed-in frame");
  return choice;
}

/** Whether the person may change the chosen ledger's data (a viewer may not: no write controls). */
export const useCanWrite = () => canWrite(useLedger().ledger.role);
