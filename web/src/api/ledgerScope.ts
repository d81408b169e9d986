/** The one place the chosen ledger reaches the API: every call for ledger data (accounts, categories,
 * entries, budgets, reports, schedules) is sent to `/api/v1/ledgers/{id}/...` of the ledger chosen on this device, so the
 * screens keep calling the unscoped paths (which the server would answer from the person's default ledger). */

const SCOPED = /^\/api\/v1\/(accounts|categories|entries|budgets|reports|schedules)(\/|$)/;

/** `path` under the ledger `id` when it is one of the ledger's own paths, else `path` unchanged. */
export function scopedPath(path: string, id: number | null): string {
  return id !== null && SCOPED.test(path) ? `/api/v1/ledgers/${id}${path.slice("/api/v1".length)}` : path;
}

/** The ledger whose id a path names (`/api/v1/ledgers/{id}/...`), or null. */
export function ledgerOfPath(path: string): number | null {
  const match = /^\/api\/v1\/ledgers\/(\d+)(\/|$)/.exec(path);
  return match ? Number(match[1]) : null;
}

export interface LedgerScope {
  /** The ledger chosen now (null while none is: the paths stay unscoped). */
  current(): number | null;
  /** A call to that ledger was refused (404: no longer a member, or it is gone; 403: a lower role). */
  refused(id: number): void;
}

/** `fetch` with the ledger's paths scoped to the chosen ledger. */
export function scopedFetch(fetch: (request: Request) => Promise<Response>, scope: LedgerScope): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const path = scopedPath(url.pathname, scope.current());
    let sent = request;
    if (path !== url.pathname) {
      url.pathname = path;
      // A new Request with the old one's body read out: passing a Request as the init of another is not
      // portable (Chromium wants `duplex` for a streamed body).
      const body = request.body === null ? null : await request.arrayBuffer();
      sent = new Request(url, { method: request.method, headers: request.headers, body, signal: request.signal, credentials: request.credentials });
    }
    const response = await fetch(sent);
    const id = ledgerOfPath(path);
    if (id !== null && (response.status === 404 || response.status === 403)) scope.refused(id);
    return response;
  };
}
