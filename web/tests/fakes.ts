/** Fakes for the auth client's tests: a server with a cookie jar, Web Locks, BroadcastChannel. */
import { vi } from "vitest";
import { type AuthDeps, AuthClient, type ChannelLike } from "../src/auth/session";

export const BASE = "http://ledger.test";

/** A token the client can read `sub` from (the signature is never checked client-side). */
export function jwt(sub: string, serial: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub, type: "access", n: serial })}.sig`;
}

export function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: "Error", status, code }), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

type RefreshAnswer = Response | Error | ((request: { csrf: string | null }) => Response | Promise<Response>);

/** As fetch does: a request whose signal aborts rejects with the signal's reason. */
function abortable(answer: Promise<Response>, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason));
    answer.then(resolve, reject);
  });
}

/** The API as the client sees it: tokens it accepts, a refresh endpoint that rotates a cookie. */
export class FakeServer {
  userId = "1";
  serial = 0;
  /** Access tokens the API still accepts; anything else is 401 token_expired (or `rejectCode`). */
  valid = new Set<string>();
  rejectCode = "token_expired";
  /** The readable CSRF cookie, as document.cookie shows it ("" when there is none). */
  cookies = "";
  csrf: string | null = null;
  refreshCalls: Array<{ csrf: string | null }> = [];
  apiCalls: Array<{ url: string; authorization: string | null }> = [];
  /** Answers queued for the next refresh calls (else: rotate and answer 200). */
  refreshQueue: RefreshAnswer[] = [];
  /** Delay of every answer, in (fake) milliseconds. */
  latency = 0;
  /** Overrides an API answer. */
  api: ((request: Request) => Response | undefined) | null = null;

  issue(expiresIn = 900): { access_token: string; expires_in: number; csrf_token: string; token_type: string } {
    this.serial += 1;
    const token = jwt(this.userId, this.serial);
    this.valid.add(token);
    this.csrf = `csrf-${this.serial}`;
    this.cookies = `theme=dark; csrf_refresh_token=${this.csrf}`;
    return { access_token: token, expires_in: expiresIn, csrf_token: this.csrf, token_type: "Bearer" };
  }

  expireAll(): void {
    this.valid.clear();
  }

  private async wait(): Promise<void> {
    if (this.latency > 0) await new Promise((resolve) => setTimeout(resolve, this.latency));
  }

  readonly fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/auth/refresh") {
      const csrf = request.headers.get("X-CSRF-TOKEN");
      this.refreshCalls.push({ csrf });
      await this.wait();
      const next = this.refreshQueue.shift();
      if (next instanceof Error) throw next;
      if (next instanceof Response) return next;
      if (typeof next === "function") return abortable(Promise.resolve(next({ csrf })), request.signal);
      if (csrf !== this.csrf) return problem(401, "csrf_failed");
      return json(this.issue());
    }
    const authorization = request.headers.get("Authorization");
    this.apiCalls.push({ url: url.pathname, authorization });
    await this.wait();
    const override = this.api?.(request);
    if (override) return override;
    const token = authorization?.replace(/^Bearer /, "") ?? "";
    if (!this.valid.has(token)) return problem(401, this.rejectCode);
    if (request.method === "POST" || request.method === "DELETE") return new Response(null, { status: 204 });
    return json({ id: 1, path: url.pathname });
  });
}

/** BroadcastChannel between the tabs of one test: delivery is a task, as in a browser. */
export class Hub {
  private members = new Set<FakeChannel>();
  delay = 0;
  posted: unknown[] = [];

  channel(): FakeChannel {
    const channel = new FakeChannel(this);
    this.members.add(channel);
    return channel;
  }

  deliver(from: FakeChannel, message: unknown): void {
    this.posted.push(message);
    for (const member of this.members) {
      if (member !== from) setTimeout(() => member.emit(message), this.delay);
    }
  }
}

export class FakeChannel implements ChannelLike {
  private listeners = new Set<(event: MessageEvent) => void>();
  constructor(private readonly hub: Hub) {}
  postMessage(message: unknown): void {
    this.hub.deliver(this, structuredClone(message));
  }
  addEventListener(_type: "message", listener: (event: MessageEvent) => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: "message", listener: (event: MessageEvent) => void): void {
    this.listeners.delete(listener);
  }
  close(): void {
    this.listeners.clear();
  }
  emit(message: unknown): void {
    for (const listener of this.listeners) listener({ data: message } as MessageEvent);
  }
}

interface Waiter {
  callback: (lock: Lock | null) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Web Locks, exclusive mode, with `signal` and `steal` as the spec has them. */
export class FakeLocks {
  held: Waiter | null = null;
  queue: Waiter[] = [];
  requests: Array<{ steal: boolean }> = [];

  /** A tab that takes the lock and never lets go. */
  holdForever(): void {
    this.held = { callback: () => new Promise(() => undefined), resolve: () => undefined, reject: () => undefined };
  }

  request(name: string, ...args: unknown[]): Promise<unknown> {
    const [options, callback] = (args.length === 1 ? [{}, args[0]] : args) as [{ signal?: AbortSignal; steal?: boolean }, (lock: Lock | null) => Promise<unknown>];
    void name;
    this.requests.push({ steal: Boolean(options.steal) });
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { callback, resolve, reject };
      if (options.steal) {
        const previous = this.held;
        this.held = null;
        previous?.reject(new DOMException("stolen", "AbortError"));
        this.grant(waiter);
        return;
      }
      if (options.signal?.aborted) return reject(options.signal.reason);
      options.signal?.addEventListener("abort", () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) {
          this.queue.splice(index, 1);
          reject(options.signal?.reason);
        }
      });
      if (this.held === null) this.grant(waiter);
      else this.queue.push(waiter);
    });
  }

  private grant(waiter: Waiter): void {
    this.held = waiter;
    Promise.resolve()
      .then(() => waiter.callback({ name: "ledger-refresh", mode: "exclusive" } as Lock))
      .then(waiter.resolve, waiter.reject)
      .finally(() => {
        if (this.held !== waiter) return;
        this.held = null;
        const next = this.queue.shift();
        if (next) this.grant(next);
      });
  }
}

export interface Tab {
  client: AuthClient;
  channel: FakeChannel;
  reload: ReturnType<typeof vi.fn>;
  visible: { value: boolean; fire: () => void };
}

/** One browser tab: its own AuthClient, sharing the server (cookies), the locks and the channel. */
export function openTab(server: FakeServer, hub: Hub, locks: FakeLocks | undefined): Tab {
  const channel = hub.channel();
  const reload = vi.fn();
  let listener: () => void = () => undefined;
  const visible = {
    value: true,
    fire: () => listener(),
  };
  const deps: AuthDeps = {
    fetch: server.fetch,
    baseUrl: BASE,
    locks: locks as unknown as LockManager | undefined,
    channel,
    readCookies: () => server.cookies,
    now: () => Date.now(),
    isVisible: () => visible.value,
    onVisibilityChange: (l) => {
      listener = l;
      return () => undefined;
    },
    reload,
  };
  return { client: new AuthClient(deps), channel, reload, visible };
}

export function get(path: string): Request {
  return new Request(BASE + path);
}
