import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Login } from "../src/screens/Login";

let root: HTMLElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
  vi.unstubAllGlobals();
});

function field(label: string): HTMLInputElement {
  const labelElement = [...root.querySelectorAll("label")].find((l) => l.textContent === label);
  const input = labelElement && root.querySelector<HTMLInputElement>(`#${labelElement.htmlFor}`);
  if (!input) throw new Error(`no field labelled ${label}`);
  return input;
}

async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function submit() {
  const button = [...root.querySelectorAll("button")].find((b) => b.textContent === "Sign in");
  await act(async () => {
    button?.click();
  });
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/problem+json", ...headers } }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("the sign-in form", () => {
  it("has labelled fields, a Sign in button and a Create account link", async () => {
    await act(() => render(<Login reason={null} next={null} created={false} />, root));
    expect(field("Email").type).toBe("email");
    expect(field("Password").type).toBe("password");
    expect([...root.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")])).toContainEqual(["Create account", "/register"]);
  });

  it("says why the person was signed out", async () => {
    await act(() => render(<Login reason="refresh_token_reused" next={null} created={false} />, root));
    expect(root.querySelector("[role=alert]")?.textContent).toMatch(/signed out/);
    render(null, root);
    await act(() => render(<Login reason="other_tab" next={null} created={false} />, root));
    expect(root.querySelector("[role=status]")?.textContent).toMatch(/signed out in another tab/);
  });

  it("shows required-field errors next to their fields without a request", async () => {
    const fetch = answer(200, {});
    await act(() => render(<Login reason={null} next={null} created={false} />, root));
    await submit();
    expect(fetch).not.toHaveBeenCalled();
    const email = field("Email");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(root.querySelector(`#${email.getAttribute("aria-describedby")}`)?.textContent).toBe("This is required.");
  });

  it("puts the server's field errors next to their fields", async () => {
    answer(422, {
      type: "about:blank",
      title: "Unprocessable Entity",
      status: 422,
      code: "validation_error",
      errors: { email: ["Not a valid email address."] },
    });
    await act(() => render(<Login reason={null} next={null} created={false} />, root));
    await type(field("Email"), "nope");
    await type(field("Password"), "whatever it is");
    await submit();
    const email = field("Email");
    expect(root.querySelector(`#${email.getAttribute("aria-describedby")}`)?.textContent).toBe("Enter an email address, like minji@example.com.");
    expect(root.querySelector("[role=alert]")?.textContent).toBe("Please fix the highlighted fields.");
  });

  it("a 429 says when to try again, from Retry-After", async () => {
    answer(429, { type: "about:blank", title: "Too Many Requests", status: 429, code: "rate_limited" }, { "Retry-After": "42" });
    await act(() => render(<Login reason={null} next={null} created={false} />, root));
    await type(field("Email"), "minji@example.com");
    await type(field("Password"), "a long passphrase for 2026");
    await submit();
    expect(root.querySelector("[role=alert]")?.textContent).toBe("Too many attempts. Please try again in 42 seconds.");
  });

  it("wrong credentials are said plainly", async () => {
    answer(401, { type: "about:blank", title: "Unauthorized", status: 401, code: "invalid_credentials" });
    await act(() => render(<Login reason={null} next={null} created={false} />, root));
    await type(field("Email"), "minji@example.com");
    await type(field("Password"), "not the password");
    await submit();
    expect(root.querySelector("[role=alert]")?.textContent).toMatch(/don't match/);
  });

  it("keeps what was typed when the network fails", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    await act(() => render(<Login reason={null} next={null} created={false} />, root));
    await type(field("Email"), "minji@example.com");
    await type(field("Password"), "a long passphrase for 2026");
    await submit();
    expect(root.querySelector("[role=alert]")?.textContent).toMatch(/can't reach the server/);
    expect(field("Email").value).toBe("minji@example.com");
    expect(field("Password").value).toBe("a long passphrase for 2026");
  });
});
