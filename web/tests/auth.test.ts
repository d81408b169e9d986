// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { vi } from "vitest";
import { LOCK_TIMEOUT_MS, RefreshUnavailableError, SignedOutError } from "../src/auth/session";
import { FakeLocks, FakeServer, get, Hub, json, openTab, problem } from "./fakes";

let server: FakeServer;
let hub: Hub;
let locks: FakeLocks;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-11-30T09:00:00Z") });
  server = new FakeServer();
  hub = new Hub();
  locks = new FakeLocks();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A tab signed in through the login form. */
function signedInTab(withLocks = true) {
  const tab = openTab(server, hub, withLocks ? locks : undefined);
  tab.client.signIn(server.issue());
  return tab;
}

/** Two tabs of one browser: the first signs in, the second hears of it. */
async function twoTabs(withLocks = true) {
  const b = openTab(server, hub, withLocks ? locks : undefined);
  const a = signedInTab(withLocks);
  await vi.advanceTimersByTimeAsync(0);
  expect(b.client.state.status).toBe("signed-in");
  return [a, b] as const;
}

describe("401 token_expired", () => {
  it("10 concurrent requests on an expired token make exactly one refresh, and each is retried once", async () => {
    const { client } = signedInTab();
    server.expireAll(); // the server says expired although the client's clock does not know yet
    server.latency = 20;
    const pending = Array.from({ length: 10 }, (_, i) => client.fetch(get(`/api/v1/entries/${i}`)));
    await vi.advanceTimersByTimeAsync(200);
    const responses = await Promise.all(pending);

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(server.refreshCalls).toHaveLength(1);
    expect(server.apiCalls).toHaveLength(20);
    for (let i = 0; i < 10; i++) {
      const calls = server.apiCalls.filter((c) => c.url === `/api/v1/entries/${i}`);
      expect(calls).toHaveLength(2); // the first try and one retry
      expect(calls[0]?.authorization).not.toEqual(calls[1]?.authorization);
    }
    expect(client.state.status).toBe("signed-in");
  });

  it("a token the client knows has expired is refreshed once before the 10 requests are sent", async () => {
    const { client } = signedInTab();
    vi.setSystemTime(Date.now() + 901_000);
    server.expireAll();
    const responses = await Promise.all(Array.from({ length: 10 }, () => client.fetch(get("/api/v1/me"))));
    expect(responses.every((r) => r.ok)).toBe(true);
    expect(server.refreshCalls).toHaveLength(1);
    expect(server.apiCalls).toHaveLength(10);
  });

  it("a second 401 after the retry is not retried again", async () => {
    const { client } = signedInTab();
    server.api = () => problem(401, "token_expired"); // the API keeps saying expired
    const response = await client.fetch(get("/api/v1/me"));
    expect(response.status).toBe(401);
    expect(server.apiCalls).toHaveLength(2);
    expect(server.refreshCalls).toHaveLength(1);
    expect(client.state.status).toBe("signed-in"); // not a reason to sign out
  });

  it("retries a POST with its body", async () => {
    const { client } = signedInTab();
    server.expireAll();
    const bodies: string[] = [];
    server.api = (request) => {
      void request
        .clone()
        .text()
        .then((text) => bodies.push(text));
      return undefined;
    };
    const response = await client.fetch(
      new Request("http://ledger.test/api/v1/entries", { method: "POST", body: '{"amount":12000}', headers: { "Content-Type": "application/json" } }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(response.status).toBe(204);
    expect(bodies).toEqual(['{"amount":12000}', '{"amount":12000}']);
  });
});

describe("401 codes that end the session", () => {
  for (const code of ["token_revoked", "refresh_token_reused", "invalid_token"]) {
    it(`${code}: clears the state, tells the other tabs, and says why`, async () => {
      const [a, b] = await twoTabs();
      server.expireAll();
      server.rejectCode = code;

      await expect(a.client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(SignedOutError);
      expect(a.client.state).toEqual({ status: "signed-out", reason: code });
      expect(server.refreshCalls).toHaveLength(0); // no refresh for these
      expect(server.apiCalls).toHaveLength(1); // and no retry

      await vi.advanceTimersByTimeAsync(0);
      expect(b.client.state).toEqual({ status: "signed-out", reason: code });
      // nothing is sent once signed out
      await expect(a.client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(SignedOutError);
      expect(server.apiCalls).toHaveLength(1);
    });
  }

  it("a refresh answered refresh_token_reused signs out with that reason", async () => {
    const { client } = signedInTab();
    server.expireAll();
    server.refreshQueue.push(problem(401, "refresh_token_reused"));
    await expect(client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(SignedOutError);
    expect(client.state).toEqual({ status: "signed-out", reason: "refresh_token_reused" });
  });

  it("a refresh answered token_expired (the session ran out) signs out as expired", async () => {
    const { client } = signedInTab();
    server.expireAll();
    server.refreshQueue.push(problem(401, "token_expired"));
    await expect(client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(SignedOutError);
    expect(client.state).toEqual({ status: "signed-out", reason: "session_expired" });
  });

  it("other 4xx answers are the screen's business", async () => {
    const { client } = signedInTab();
    server.api = () => problem(422, "validation_error");
    const response = await client.fetch(get("/api/v1/entries"));
    expect(response.status).toBe(422);
    expect(client.state.status).toBe("signed-in");
  });
});

describe("a refresh that cannot be done now", () => {
  it("a network error does not sign the person out", async () => {
    const { client } = signedInTab();
    server.expireAll();
    server.refreshQueue.push(new TypeError("Failed to fetch"));
    await expect(client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(RefreshUnavailableError);
    expect(client.state.status).toBe("signed-in");
    expect(hub.posted.filter((m) => (m as { type: string }).type === "signed-out")).toHaveLength(0);

    // the network is back: the next request refreshes and works
    const response = await client.fetch(get("/api/v1/me"));
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toHaveLength(2);
  });

  it("a 5xx or a 429 does not sign the person out either", async () => {
    const { client } = signedInTab();
    server.expireAll();
    server.refreshQueue.push(problem(503, "service_unavailable"), problem(429, "rate_limited", { "Retry-After": "30" }));
    await expect(client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(RefreshUnavailableError);
    await expect(client.fetch(get("/api/v1/me"))).rejects.toBeInstanceOf(RefreshUnavailableError);
    expect(client.state.status).toBe("signed-in");
  });

  it("a refresh that never answers times out as a network failure", async () => {
    const { client } = signedInTab();
    server.expireAll();
    server.refreshQueue.push(() => new Promise<Response>(() => undefined));
    const pending = client.fetch(get("/api/v1/me"));
    const settled = expect(pending).rejects.toBeInstanceOf(RefreshUnavailableError);
    await vi.advanceTimersByTimeAsync(15_000);
    await settled;
    expect(client.state.status).toBe("signed-in");
  });
});

describe("CSRF", () => {
  it("sends X-CSRF-TOKEN from the cookie, which another tab may have rotated", async () => {
    const { client } = signedInTab();
    server.csrf = "rotated-elsewhere";
    server.cookies = "csrf_refresh_token=rotated-elsewhere";
    server.expireAll();
    const pending = client.fetch(get("/api/v1/me"));
    await vi.advanceTimersByTimeAsync(1_000); // no message from that tab: go on with its cookie
    expect((await pending).status).toBe(200);
    expect(server.refreshCalls[0]?.csrf).toBe("rotated-elsewhere");
  });

  it("a csrf_failed caused by another tab's rotation meanwhile is retried once with the new value", async () => {
    const { client } = signedInTab();
    server.expireAll();
    const sent = server.csrf;
    let rotatedElsewhere: string | null = null;
    server.refreshQueue.push(() => {
      rotatedElsewhere = server.issue().csrf_token; // the other tab's refresh lands: our pair no longer matches
      return problem(401, "csrf_failed");
    });
    const response = await client.fetch(get("/api/v1/me"));

    expect(response.status).toBe(200);
    expect(server.refreshCalls.map((c) => c.csrf)).toEqual([sent, rotatedElsewhere]);
    expect(client.state.status).toBe("signed-in");
  });

  it("a csrf_failed with an unchanged cookie is not retried: the person is signed out", async () => {
    const { client } = signedInTab();
    server.expireAll();
    server.refreshQueue.push(problem(401, "csrf_failed"));
    await client.fetch(get("/api/v1/me")).catch(() => undefined);

    expect(server.refreshCalls).toHaveLength(1);
    expect(client.state.status).toBe("signed-out");
  });

  it("falls back to the value from the response body when the cookie cannot be read", async () => {
    const { client } = signedInTab();
    const expected = server.csrf;
    server.cookies = "";
    server.expireAll();
    await client.fetch(get("/api/v1/me"));
    expect(server.refreshCalls[0]?.csrf).toBe(expected);
  });

  it("reads the production cookie name", async () => {
    const { client } = signedInTab();
    server.csrf = "secure-one";
    server.cookies = "__Secure-csrf_refresh_token=secure-one";
    server.expireAll();
    const pending = client.fetch(get("/api/v1/me"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await pending).status).toBe(200);
    expect(server.refreshCalls[0]?.csrf).toBe("secure-one");
  });
});

describe("Web Lock", () => {
  it("a lock held forever does not freeze the app: after the timeout the refresh proceeds", async () => {
    const { client } = signedInTab();
    locks.holdForever();
    server.expireAll();
    const pending = client.fetch(get("/api/v1/me"));
    let done = false;
    void pending.then(
      () => (done = true),
      () => (done = true),
    );
    await vi.advanceTimersByTimeAsync(LOCK_TIMEOUT_MS - 1);
    expect(done).toBe(false);
    expect(server.refreshCalls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toHaveLength(1);
    expect(locks.requests.at(-1)).toEqual({ steal: true });
  });

  it("after the timeout a failing refresh fails cleanly, and the next one is not stuck", async () => {
    const { client } = signedInTab();
    locks.holdForever();
    server.expireAll();
    server.refreshQueue.push(new TypeError("Failed to fetch"));
    const first = client.fetch(get("/api/v1/me"));
    const failed = expect(first).rejects.toBeInstanceOf(RefreshUnavailableError);
    await vi.advanceTimersByTimeAsync(LOCK_TIMEOUT_MS);
    await failed;
    expect(client.state.status).toBe("signed-in");
    const second = await client.fetch(get("/api/v1/me"));
    expect(second.status).toBe(200);
  });

  it("two tabs whose tokens expired refresh once: the second adopts the first one's result", async () => {
    const [a, b] = await twoTabs();
    server.expireAll();
    server.latency = 30;
    const both = Promise.all([a.client.fetch(get("/api/v1/me")), b.client.fetch(get("/api/v1/accounts"))]);
    await vi.advanceTimersByTimeAsync(500);
    const [ra, rb] = await both;
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(server.refreshCalls).toHaveLength(1);
  });

  it("the second tab waits for the first one's message when the cookie shows a rotation", async () => {
    const [a, b] = await twoTabs();
    hub.delay = 300; // the message is slower than the lock hand-over
    server.expireAll();
    const both = Promise.all([a.client.fetch(get("/api/v1/me")), b.client.fetch(get("/api/v1/accounts"))]);
    await vi.advanceTimersByTimeAsync(2_000);
    const [ra, rb] = await both;
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(server.refreshCalls).toHaveLength(1);
  });

  it("without Web Locks both tabs refresh and both stay signed in (the server's grace window)", async () => {
    const [a, b] = await twoTabs(false);
    server.expireAll();
    server.latency = 30;
    // The server answers the second one inside its grace window: an access token, no new cookie.
    const csrf = server.csrf;
    server.refreshQueue.push(
      () => json(server.issue()),
      () => {
        const body = server.issue();
        return json({ access_token: body.access_token, expires_in: 900, token_type: "Bearer" });
      },
    );
    const both = Promise.all([a.client.fetch(get("/api/v1/me")), b.client.fetch(get("/api/v1/accounts"))]);
    await vi.advanceTimersByTimeAsync(500);
    const [ra, rb] = await both;
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(server.refreshCalls.map((c) => c.csrf)).toEqual([csrf, csrf]);
    expect(a.client.state.status).toBe("signed-in");
    expect(b.client.state.status).toBe("signed-in");
  });
});

describe("tabs follow each other", () => {
  it("a sign-out in one tab reaches the other, which says so", async () => {
    const [a, b] = await twoTabs();
    await a.client.signOut("this-device");
    expect(server.apiCalls.at(-1)?.url).toBe("/api/v1/auth/sessions/current");
    expect(a.client.state).toEqual({ status: "signed-out", reason: "signed_out" });
    await vi.advanceTimersByTimeAsync(0);
    expect(b.client.state).toEqual({ status: "signed-out", reason: "other_tab" });
  });

  it("Sign out everywhere calls POST /auth/logout", async () => {
    const a = signedInTab();
    await a.client.signOut("everywhere");
    expect(server.apiCalls.at(-1)?.url).toBe("/api/v1/auth/logout");
    expect(a.client.state).toEqual({ status: "signed-out", reason: "signed_out_everywhere" });
  });

  it("a sign-out that cannot reach the server leaves the person signed in", async () => {
    const a = signedInTab();
    server.api = () => {
      throw new TypeError("Failed to fetch");
    };
    await expect(a.client.signOut("this-device")).rejects.toThrow();
    expect(a.client.state.status).toBe("signed-in");
  });

  it("a sign-in as someone else reloads the other tabs", async () => {
    const [a, b] = await twoTabs();
    server.userId = "2";
    a.client.signIn(server.issue());
    await vi.advanceTimersByTimeAsync(0);
    expect(b.reload).toHaveBeenCalledOnce();
  });

  it("a signed-out tab follows a sign-in elsewhere", async () => {
    const b = openTab(server, hub, locks);
    await b.client.start(); // no cookie yet: signed out, without a request
    expect(b.client.state).toEqual({ status: "signed-out", reason: null });
    expect(server.refreshCalls).toHaveLength(0);
    signedInTab();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.client.state).toEqual({ status: "signed-in", userId: "1" });
    const response = await b.client.fetch(get("/api/v1/me"));
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toHaveLength(0);
  });

  it("a password change's new pair reaches the other tabs", async () => {
    const [a, b] = await twoTabs();
    server.expireAll(); // the change revoked every older token
    a.client.adoptPair(server.issue());
    await vi.advanceTimersByTimeAsync(0);
    const response = await b.client.fetch(get("/api/v1/me"));
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toHaveLength(0);
  });
});

describe("start-up and proactive refresh", () => {
  it("start-up restores the session from the cookie", async () => {
    server.issue();
    const { client } = openTab(server, hub, locks);
    await client.start();
    expect(client.state).toEqual({ status: "signed-in", userId: "1" });
    expect(server.refreshCalls).toHaveLength(1);
  });

  it("start-up with a dead session shows the sign-in page without an error", async () => {
    server.issue();
    server.refreshQueue.push(problem(401, "token_revoked"));
    const { client } = openTab(server, hub, locks);
    await client.start();
    expect(client.state).toEqual({ status: "signed-out", reason: null });
    expect(hub.posted).toHaveLength(0);
  });

  it("start-up without a network is not a sign-out", async () => {
    server.issue();
    server.refreshQueue.push(new TypeError("Failed to fetch"));
    const { client } = openTab(server, hub, locks);
    await client.start();
    expect(client.state).toEqual({ status: "unreachable" });
  });

  it("refreshes at expiresAt − min(60 s, 20 %) in a visible tab", async () => {
    signedInTab(); // 900 s: refresh at 840 s
    await vi.advanceTimersByTimeAsync(839_000);
    expect(server.refreshCalls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(server.refreshCalls).toHaveLength(1);
  });

  it("uses 20 % of a short lifetime", async () => {
    const tab = openTab(server, hub, locks);
    tab.client.signIn(server.issue(10)); // 10 s: refresh at 8 s
    await vi.advanceTimersByTimeAsync(7_900);
    expect(server.refreshCalls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.refreshCalls).toHaveLength(1);
  });

  it("a hidden tab does not refresh, and refreshes when it becomes visible", async () => {
    const tab = openTab(server, hub, locks);
    tab.visible.value = false;
    tab.client.signIn(server.issue());
    await vi.advanceTimersByTimeAsync(890_000);
    expect(server.refreshCalls).toHaveLength(0);
    tab.visible.value = true;
    tab.visible.fire();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.refreshCalls).toHaveLength(1);
    expect(tab.client.state.status).toBe("signed-in");
  });
});
