/**
 * The SPA's sign-in life cycle (docs/SPA-AUTH.md).
 *
 * - The access token lives in this object's memory only; the refresh token lives only in its
 *   HttpOnly cookie, which the browser sends to /api/v1/auth.
 * - One AuthClient per app: concurrent requests share one pending refresh (single flight in a
 *   tab), and tabs take turns under the Web Lock "ledger-refresh" (single flight across tabs),
 *   adopting a result another tab broadcast instead of spending a token already rotated.
 * - The refresh call goes straight to `fetch`, never through the intercepted path, so it cannot
 *   loop on its own 401.
 * - A 401 is handled by its problem `code`: `token_expired` refreshes once and retries once;
 *   `token_revoked`, `refresh_token_reused` and `invalid_token` end the session in every tab.
 * - A network error or a 5xx on refresh never signs the person out.
 */
import { readCsrfCookie } from "./csrf";
import { readClaims } from "./jwt";
import { withLock } from "./lock";

export const REFRESH_PATH = "/api/v1/auth/refresh";
export const LOCK_NAME = "ledger-refresh";
/** localStorage: "1" while a sign-out made offline is still to be told to the server. */
export const PENDING_SIGN_OUT = "ledger.signout-pending";
export const CHANNEL_NAME = "ledger-auth";
/** A token this close to its expiry (or within 10 % of its lifetime, for short ones) is refreshed
 * before it is sent. The proactive refresh comes earlier (20 %), so normally requests never wait. */
export const EXPIRY_MARGIN_MS = 5_000;
export const LOCK_TIMEOUT_MS = 10_000;
/** How long a refresh call may take before it counts as a network failure: shorter than the lock
 * timeout, so that a tab that holds the lock lets go before the others would steal it. */
export const REFRESH_TIMEOUT_MS = 8_000;
/** Inside the lock, when the CSRF cookie shows another tab rotated, how long to wait for its message. */
export const BROADCAST_WAIT_MS = 1_000;
/** After a proactive refresh failed for want of a network, when to try again. */
export const RETRY_MS = 15_000;

/** Why the person is on the sign-in page; each has its own sentence in the catalogue. */
export type SignOutReason =
  | "signed_out" // Sign out, in this tab
  | "signed_out_everywhere" // Sign out everywhere, in this tab
  | "other_tab" // a sign-out in another tab of this browser
  | "account_deleted"
  | "token_revoked"
  | "refresh_token_reused"
  | "invalid_token"
  | "session_expired";

/** Codes of a 401 that mean the session is over (API.md §1). */
const ENDING_CODES: Record<string, SignOutReason> = {
  token_revoked: "token_revoked",
  refresh_token_reused: "refresh_token_reused",
  invalid_token: "invalid_token",
};

export type AuthState =
  | { status: "starting" }
  | { status: "unreachable" } // start-up could not reach the server: we do not know yet
  | { status: "signed-in"; userId: string }
  | { status: "signed-out"; reason: SignOutReason | null };

/** The token body of login, refresh and password change (components["schemas"]["Token"]). */
export interface TokenBody {
  access_token: string;
  expires_in: number;
  csrf_token?: string;
}

export type AuthMessage =
  | { type: "refreshed"; accessToken: string; expiresAt: number; issuedAt: number; userId: string; csrf: string | null }
  | { type: "signed-in"; accessToken: string; expiresAt: number; issuedAt: number; userId: string; csrf: string | null }
  | { type: "signed-out"; reason: SignOutReason };

export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
}

export interface AuthDeps {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /** Prefix of the API's URLs: "" in the browser (same origin). */
  baseUrl: string;
  locks: LockManager | undefined;
  channel: ChannelLike | null;
  readCookies: () => string;
  now: () => number;
  isVisible: () => boolean;
  onVisibilityChange: (listener: () => void) => () => void;
  /** A sign-in as another person in another tab: start afresh. */
  reload: () => void;
  /** A sign-out made while the server could not be reached, still to be told to the server (localStorage). */
  pendingSignOut?: { get(): boolean; set(pending: boolean): void };
}

/** The session is over: the request was not sent, or its answer means nothing any more. */
export class SignedOutError extends Error {
  constructor(readonly reason: SignOutReason | null) {
    super(`signed out (${reason ?? "no session"})`);
    this.name = "SignedOutError";
  }
}

/** A refresh could not be done now (network down, server error, rate limit); still signed in. */
export class RefreshUnavailableError extends Error {
  constructor(
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(status === null ? "refresh failed: network" : `refresh failed: HTTP ${status}`, options);
    this.name = "RefreshUnavailableError";
  }
}

/** The problem `code` of a response (problem+json), or "" when it has none. */
export async function problemCode(response: Response): Promise<string> {
  try {
    const body: unknown = await response.clone().json();
    if (typeof body === "object" && body !== null && "code" in body && typeof body.code === "string") return body.code;
  } catch {
    // not JSON
  }
  return "";
}

/** Reasons that the other tabs learn as "signed out in another tab". */
const PERSONAL: ReadonlySet<SignOutReason> = new Set(["signed_out", "signed_out_everywhere"]);

type Listener = (state: AuthState) => void;

export class AuthClient {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private issuedAt = 0;
  private userId: string | null = null;
  private csrf: string | null = null;
  /** The CSRF cookie when this tab last took a token: a different value means another tab rotated. */
  private csrfSeen: string | null = null;
  private pending: Promise<void> | null = null;
  /** Bumped by every token adopted from another tab: "did someone refresh while I waited?" */
  private broadcastVersion = 0;
  private broadcastWaiters: Array<() => void> = [];
  /** Bumped by every sign-in and sign-out, so that a late answer of an older session is ignored. */
  private epoch = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<Listener>();
  private unsubscribeVisibility: () => void;
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data as AuthMessage);
  state: AuthState = { status: "starting" };

  constructor(private readonly deps: AuthDeps) {
    deps.channel?.addEventListener("message", this.onMessage);
    this.unsubscribeVisibility = deps.onVisibilityChange(() => this.visibilityChanged());
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.unsubscribeVisibility();
    this.deps.channel?.removeEventListener("message", this.onMessage);
  }

  /** Start-up: one refresh restores the session that the cookie holds. A 401 shows the sign-in page
   * without an error (there was no session), except for a detected token reuse, which is news. */
  async start(): Promise<void> {
    // The CSRF cookie lives exactly as long as the refresh cookie: without it there is no session
    // to restore, and no need for a request (nor for the 401 a browser logs as a console error).
    if (this.currentCsrf() === null) {
      this.setState({ status: "signed-out", reason: null });
      return;
    }
    if (this.deps.pendingSignOut?.get()) {
      // The person signed out offline: they stay signed out, and the server hears of it as soon as it can.
      this.setState({ status: "signed-out", reason: "signed_out" });
      await this.finishPendingSignOut();
      return;
    }
    if (this.state.status !== "signed-out") this.setState({ status: "starting" });
    try {
      await this.refresh({ startUp: true });
    } catch (error) {
      if (error instanceof RefreshUnavailableError && this.state.status !== "signed-in") {
        this.setState({ status: "unreachable" });
      }
    }
  }

  /** The intercepted path: every authenticated API call goes through here (openapi-fetch's `fetch`). */
  readonly fetch = async (request: Request): Promise<Response> => {
    const spare = request.clone(); // for the one retry: a body can be read only once
    let token = await this.usableToken();
    let response = await this.send(request, token);
    if (response.status !== 401) return response;
    let code = await problemCode(response);
    if (code === "token_expired") {
      // Only the first of many requests that failed with the same token refreshes; the others find
      // a newer token already (or the pending refresh) and just retry with it.
      if (this.accessToken === token || this.accessToken === null) await this.refresh();
      token = await this.usableToken();
      response = await this.send(spare, token);
      if (response.status !== 401) return response;
      code = await problemCode(response);
    }
    const reason = ENDING_CODES[code];
    if (reason) {
      this.endSession(reason, true);
      throw new SignedOutError(reason);
    }
    return response; // a second token_expired is not retried again
  };

  /** Single flight within the tab: concurrent callers share one pending refresh. */
  refresh(options: { startUp?: boolean } = {}): Promise<void> {
    this.pending ??= this.refreshAcrossTabs(options.startUp ?? false).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** A successful sign-in in this tab (POST /auth/login). */
  signIn(body: TokenBody): void {
    this.deps.pendingSignOut?.set(false);
    this.epoch += 1;
    this.adopt(body);
    this.post("signed-in");
  }

  /** Tokens from another call that issues a pair (POST /me/password): this tab and its siblings
   * adopt them, since the call revoked every other token of the person. */
  adoptPair(body: TokenBody): void {
    this.adopt(body);
    this.post("refreshed");
  }

  /** Sign out: this device only (DELETE /auth/sessions/current) or every device (POST /auth/logout).
   * A network failure leaves the person signed in (the cookie would sign them in again) and throws. */
  async signOut(scope: "this-device" | "everywhere"): Promise<void> {
    const request =
      scope === "everywhere" ? new Request(this.url("/api/v1/auth/logout"), { method: "POST" }) : new Request(this.url("/api/v1/auth/sessions/current"), { method: "DELETE" });
    const reason: SignOutReason = scope === "everywhere" ? "signed_out_everywhere" : "signed_out";
    try {
      const response = await this.fetch(request);
      if (!response.ok && response.status !== 401) throw new RefreshUnavailableError(response.status);
    } catch (error) {
      if (!(error instanceof SignedOutError)) throw error;
    }
    this.endSession(reason, true);
  }

  /** Sign out without the server (it can't be reached): this device forgets the session now, and the refresh
   * cookie's session is ended on the server at the next start-up or sign-in that reaches it. */
  signOutOffline(): void {
    this.deps.pendingSignOut?.set(true);
    this.endSession("signed_out", true);
  }

  /** A sign-out made offline is still to be told to the server. */
  signOutPending(): boolean {
    return this.deps.pendingSignOut?.get() ?? false;
  }

  /** Ends on the server a session signed out offline: the cookie's refresh token buys one access token, which
   * ends that session (DELETE /auth/sessions/current); neither is adopted. Without a network it waits. */
  async finishPendingSignOut(): Promise<void> {
    if (!this.deps.pendingSignOut?.get()) return;
    const csrf = readCsrfCookie(this.deps.readCookies());
    try {
      if (csrf !== null) {
        const refreshed = await this.deps.fetch(this.url(REFRESH_PATH), { method: "POST", headers: { "X-CSRF-TOKEN": csrf }, credentials: "same-origin" });
        if (refreshed.status >= 500 || refreshed.status === 429) return;
        if (refreshed.ok) {
          const body = (await refreshed.json()) as TokenBody;
          const ended = await this.deps.fetch(this.url("/api/v1/auth/sessions/current"), {
            method: "DELETE",
            headers: { Authorization: `Bearer ${body.access_token}` },
            credentials: "same-origin",
          });
          if (!ended.ok && ended.status !== 401) return;
        }
      }
      this.deps.pendingSignOut.set(false); // ended, or already over (a 401, or no cookie)
    } catch {
      // still no network: at the next start-up
    }
  }

  /** The session ended for a reason this tab learnt from the API (an account deletion, say). */
  endSession(reason: SignOutReason, broadcast: boolean): void {
    if (this.state.status === "signed-out") return; // many requests may learn it at once: say it once
    this.clear();
    if (broadcast) this.deps.channel?.postMessage({ type: "signed-out", reason } satisfies AuthMessage);
    this.setState({ status: "signed-out", reason });
  }

  // --- internals ---------------------------------------------------------------------------

  private url(path: string): string {
    return this.deps.baseUrl + path;
  }

  private setState(state: AuthState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }

  private isFresh(): boolean {
    const margin = Math.min(EXPIRY_MARGIN_MS, (this.expiresAt - this.issuedAt) * 0.1);
    return this.accessToken !== null && this.expiresAt - this.deps.now() > margin;
  }

  private async usableToken(): Promise<string> {
    if (this.state.status === "signed-out") throw new SignedOutError(this.state.reason);
    if (!this.isFresh()) await this.refresh();
    if (this.accessToken === null) throw new SignedOutError(null);
    return this.accessToken;
  }

  private send(request: Request, token: string): Promise<Response> {
    const authorized = new Request(request);
    authorized.headers.set("Authorization", `Bearer ${token}`);
    return this.deps.fetch(authorized);
  }

  private currentCsrf(): string | null {
    return readCsrfCookie(this.deps.readCookies()) ?? this.csrf;
  }

  private async refreshAcrossTabs(startUp: boolean): Promise<void> {
    const seen = this.broadcastVersion;
    const epoch = this.epoch;
    // The cookie as it was when this tab last took a token (or now, at start-up).
    const baseline = this.csrfSeen ?? readCsrfCookie(this.deps.readCookies());
    await withLock({ locks: this.deps.locks, name: LOCK_NAME, timeoutMs: LOCK_TIMEOUT_MS }, async () => {
      if (this.epoch !== epoch) return; // signed in or out meanwhile: this refresh is moot
      if (this.broadcastVersion !== seen && this.isFresh()) return; // another tab refreshed for us
      // The cookie changed since: another tab rotated, and its message is on its way. Waiting a
      // moment for it saves a rotation (spending the new cookie would be legitimate, only wasteful).
      const csrfNow = readCsrfCookie(this.deps.readCookies());
      if (baseline !== null && csrfNow !== null && csrfNow !== baseline) {
        await this.waitForBroadcast(seen, BROADCAST_WAIT_MS);
        if (this.broadcastVersion !== seen && this.isFresh()) return;
      }
      await this.callRefresh(startUp, epoch);
    });
  }

  private waitForBroadcast(seen: number, ms: number): Promise<void> {
    if (this.broadcastVersion !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.broadcastWaiters = this.broadcastWaiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.broadcastWaiters.push(done);
    });
  }

  private async callRefresh(startUp: boolean, epoch: number, retried = false): Promise<void> {
    const csrf = this.currentCsrf(); // read inside the lock: the previous holder may have rotated it
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REFRESH_TIMEOUT_MS);
    let response: Response;
    try {
      response = await this.deps.fetch(this.url(REFRESH_PATH), {
        method: "POST",
        headers: csrf ? { "X-CSRF-TOKEN": csrf } : {},
        credentials: "same-origin",
        signal: controller.signal,
      });
    } catch (error) {
      throw new RefreshUnavailableError(null, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (response.ok) {
      let body: TokenBody;
      try {
        body = (await response.json()) as TokenBody;
      } catch (error) {
        throw new RefreshUnavailableError(response.status, { cause: error });
      }
      if (typeof body?.access_token !== "string") throw new RefreshUnavailableError(response.status);
      if (this.epoch !== epoch) return;
      this.adopt(body);
      this.post("refreshed");
      return;
    }
    if (response.status === 401) {
      const code = await problemCode(response);
      // Another tab's refresh answered between our reading the CSRF cookie and the browser attaching the
      // refresh cookie (possible without Web Locks): the pair did not match. Once more, with the new value.
      if (code === "csrf_failed" && !retried && this.currentCsrf() !== csrf) {
        return this.callRefresh(startUp, epoch, true);
      }
      if (startUp) {
        // No session (or an old one): the sign-in page, quietly; a detected reuse is worth saying.
        const reason = code === "refresh_token_reused" ? "refresh_token_reused" : null;
        this.clear();
        this.setState({ status: "signed-out", reason });
        throw new SignedOutError(reason);
      }
      const reason = ENDING_CODES[code] ?? "session_expired";
      this.endSession(reason, true);
      throw new SignedOutError(reason);
    }
    throw new RefreshUnavailableError(response.status);
  }

  private adopt(body: TokenBody): void {
    const now = this.deps.now();
    const userId = readClaims(body.access_token).sub ?? "";
    this.accessToken = body.access_token;
    this.issuedAt = now;
    this.expiresAt = now + body.expires_in * 1000;
    if (body.csrf_token) this.csrf = body.csrf_token;
    this.csrfSeen = readCsrfCookie(this.deps.readCookies());
    const changed = this.userId !== userId || this.state.status !== "signed-in";
    this.userId = userId;
    if (changed) this.setState({ status: "signed-in", userId });
    this.schedule();
  }

  private post(type: "refreshed" | "signed-in"): void {
    if (this.accessToken === null || this.userId === null) return;
    this.deps.channel?.postMessage({
      type,
      accessToken: this.accessToken,
      expiresAt: this.expiresAt,
      issuedAt: this.issuedAt,
      userId: this.userId,
      csrf: this.csrf,
    } satisfies AuthMessage);
  }

  private clear(): void {
    this.epoch += 1;
    this.accessToken = null;
    this.expiresAt = 0;
    this.issuedAt = 0;
    this.userId = null;
    this.csrf = null;
    this.csrfSeen = null;
    clearTimeout(this.timer);
  }

  private receive(message: AuthMessage): void {
    if (!message || typeof message !== "object") return;
    switch (message.type) {
      case "refreshed":
      case "signed-in": {
        const signedIn = this.state.status === "signed-in";
        if (signedIn && this.userId !== message.userId) {
          // Someone else signed in on this browser: nothing of the old person's may stay on screen.
          this.clear();
          this.deps.reload();
          return;
        }
        // A tab that is signed out follows a sign-in elsewhere, but not a stray refresh.
        if (message.type === "refreshed" && this.state.status === "signed-out") return;
        if (message.type === "signed-in") this.epoch += 1;
        this.accessToken = message.accessToken;
        this.expiresAt = message.expiresAt;
        this.issuedAt = message.issuedAt;
        if (message.csrf) this.csrf = message.csrf;
        this.csrfSeen = readCsrfCookie(this.deps.readCookies());
        this.userId = message.userId;
        this.broadcastVersion += 1;
        for (const waiter of [...this.broadcastWaiters]) waiter();
        if (!signedIn) this.setState({ status: "signed-in", userId: message.userId });
        this.schedule();
        return;
      }
      case "signed-out": {
        if (this.state.status === "signed-out") return;
        this.clear();
        this.setState({ status: "signed-out", reason: PERSONAL.has(message.reason) ? "other_tab" : message.reason });
        return;
      }
    }
  }

  /** Proactive refresh at expiresAt − min(60 s, 20 % of the lifetime), in a visible tab only. */
  private schedule(delay?: number): void {
    clearTimeout(this.timer);
    if (this.accessToken === null || !this.deps.isVisible()) return;
    const lifetime = this.expiresAt - this.issuedAt;
    const margin = Math.min(60_000, lifetime * 0.2);
    const wait = delay ?? Math.max(0, this.expiresAt - margin - this.deps.now());
    this.timer = setTimeout(() => this.proactive(), wait);
  }

  private proactive(): void {
    if (!this.deps.isVisible() || this.accessToken === null) return;
    this.refresh().catch((error: unknown) => {
      if (error instanceof RefreshUnavailableError) this.schedule(RETRY_MS);
    });
  }

  private visibilityChanged(): void {
    if (!this.deps.isVisible()) {
      clearTimeout(this.timer);
      return;
    }
    if (this.accessToken === null) return;
    const margin = Math.min(60_000, (this.expiresAt - this.issuedAt) * 0.2);
    if (this.expiresAt - margin <= this.deps.now()) this.proactive();
    else this.schedule();
  }
}

/** The app's one client, wired to the browser. */
export function browserDeps(): AuthDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    baseUrl: "",
    locks: typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : undefined,
    channel: typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL_NAME) : null,
    readCookies: () => document.cookie,
    now: () => Date.now(),
    isVisible: () => document.visibilityState === "visible",
    onVisibilityChange: (listener) => {
      document.addEventListener("visibilitychange", listener);
      return () => document.removeEventListener("visibilitychange", listener);
    },
    reload: () => window.location.reload(),
    pendingSignOut: {
      get: () => {
        try {
          return localStorage.getItem(PENDING_SIGN_OUT) === "1";
        } catch {
          return false;
        }
      },
      set: (pending) => {
        try {
          if (pending) localStorage.setItem(PENDING_SIGN_OUT, "1");
          else localStorage.removeItem(PENDING_SIGN_OUT);
        } catch {
          // private mode: the server session simply expires
        }
      },
    },
  };
}
