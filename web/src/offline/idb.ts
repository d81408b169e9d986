/** IndexedDB in a few lines: one database, four stores with string keys, promises around requests.
 *
 * What is kept (docs/SPA-AUTH.md "Offline"): `meta` (whose data this is, the feed's cursor per ledger, when it
 * was last fresh), `cache` (the JSON of the ledger's GET answers, by scoped path), `rows` (the change feed's rows
 * by ledger, kind and id) and `outbox` (entries written offline, not yet sent). Never a token: the access token
 * lives in memory and the refresh token in its HttpOnly cookie. */
export const DB_NAME = "ledger-offline";
export const STORES = ["meta", "cache", "rows", "outbox"] as const;
export type Store = (typeof STORES)[number];

let opened: Promise<IDBDatabase> | null = null;
let factory: () => IDBFactory | undefined = () => (typeof indexedDB === "undefined" ? undefined : indexedDB);

/** Tests hand in fake-indexeddb's factory (and get a fresh connection). */
export function useFactory(next: () => IDBFactory | undefined): void {
  factory = next;
  opened = null;
}

export function available(): boolean {
  return factory() !== undefined;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function open(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const idb = factory();
    if (!idb) return reject(new Error("no IndexedDB"));
    const req = idb.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      for (const name of STORES) if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        opened = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error("IndexedDB open failed"));
  }).catch((error: unknown) => {
    opened = null;
    throw error;
  });
  return opened;
}

/** Runs `fn` in one transaction over `stores` and resolves once it committed. */
export async function transact<T>(stores: Store | Store[], mode: IDBTransactionMode, fn: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
  const db = await open();
  const tx = db.transaction(stores, mode);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
  const result = await fn(tx);
  await done;
  return result;
}

export const get = <T>(store: Store, key: string) => transact(store, "readonly", (tx) => request(tx.objectStore(store).get(key) as IDBRequest<T | undefined>));

export const put = (store: Store, key: string, value: unknown) => transact(store, "readwrite", (tx) => request(tx.objectStore(store).put(value, key)).then(() => undefined));

export const del = (store: Store, key: string) => transact(store, "readwrite", (tx) => request(tx.objectStore(store).delete(key)));

/** The values whose key starts with `prefix`, in key order. */
export function byPrefix<T>(store: Store, prefix: string): Promise<T[]> {
  return transact(store, "readonly", (tx) => request(tx.objectStore(store).getAll(IDBKeyRange.bound(prefix, prefix + "\uffff")) as IDBRequest<T[]>));
}

/** Every store emptied, in one transaction. */
export const clearAll = () =>
  transact([...STORES], "readwrite", async (tx) => {
    await Promise.all(STORES.map((name) => request(tx.objectStore(name).clear())));
  });
