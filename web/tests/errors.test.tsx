/** Errors in the reader's language: every code the API can answer has words in both catalogues, and a Korean
 * screen shows Korean words for a field error and a CSV row error, never the server's English sentence. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Failure, failureMessage, fieldMessage } from "../src/api/problem";
import { I18nContext } from "../src/i18n";
import { en } from "../src/i18n/en";
import { ko } from "../src/i18n/ko";
import { Login } from "../src/screens/Login";
import { CsvSection } from "../src/screens/Reports";

// The app's clients, with the auth client's fetch as plain fetch (stubbed per test): no session is needed, and
// no sign-in ever happens (ledger.ts subscribes to forget the shared data at a change of person).
vi.mock("../src/services", async () => {
  const { createApi, createPublicApi } = await import("../src/api/client");
  const plain = (request: Request) => fetch(request);
  return { auth: { fetch: plain, subscribe: () => () => {}, signOutPending: () => false }, ledgerFetch: plain, api: createApi(plain), publicApi: createPublicApi() };
});

interface SchemaObject {
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject | boolean;
  items?: SchemaObject;
  enum?: string[];
}
const spec = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "openapi.json"), "utf-8")) as {
  components: { schemas: Record<string, SchemaObject> };
};
const schemas = spec.components.schemas;

/** Every `code` enum of a problem schema in the document (Problem, and ImportProblem which extends it). */
function problemCodes(): Set<string> {
  const codes = new Set<string>();
  for (const schema of Object.values(schemas)) {
    const code = schema.properties?.code;
    if (schema.properties?.status && code?.enum) code.enum.forEach((c) => codes.add(c));
  }
  return codes;
}

function rowCodes(): string[] {
  const codes = schemas.ImportRowError?.properties?.codes?.additionalProperties;
  return (typeof codes === "object" && codes.items?.enum) || [];
}

describe("the catalogues cover every error the API documents", () => {
  it("every problem code has an English and a Korean text", () => {
    const codes = [...problemCodes()];
    expect(codes).toContain("validation_error");
    expect(codes).toContain("registration_closed");
    for (const code of codes) {
      expect((en.problem as Record<string, string>)[code]?.trim(), `en.problem.${code}`).toBeTruthy();
      expect((ko.problem as Record<string, string>)[code]?.trim(), `ko.problem.${code}`).toBeTruthy();
    }
    expect(Object.keys(en.problem).sort()).toEqual(codes.sort());
  });

  it("every CSV row error code has an English and a Korean text", () => {
    const codes = rowCodes();
    expect(codes).toContain("amount_invalid");
    for (const code of codes) {
      expect((en.importRow as Record<string, string>)[code]?.trim(), `en.importRow.${code}`).toBeTruthy();
      expect((ko.importRow as Record<string, string>)[code]?.trim(), `ko.importRow.${code}`).toBeTruthy();
    }
    expect(Object.keys(en.importRow).sort()).toEqual([...codes].sort());
  });
});

describe("server sentences are said in the reader's language", () => {
  const problem = (status: number, code: string, detail: string): Failure => ({
    kind: "problem",
    status,
    problem: { type: "about:blank", title: "Not Found", status, code: code as "not_found", detail },
    retryAfter: null,
  });

  it("a problem's English detail is replaced by the catalogue's text for its code", () => {
    const failure = problem(404, "not_found", "The resource does not exist.");
    expect(failureMessage(failure, ko)).toBe(ko.problem.not_found);
    expect(failureMessage(failure, en)).toBe(en.problem.not_found);
  });

  it("an unknown code (a newer server) is a generic text, still not the detail", () => {
    expect(failureMessage(problem(409, "something_new", "An English sentence."), ko)).toBe(ko.serverError);
  });

  it("each kind of field message has its own words, any other the generic one", () => {
    expect(fieldMessage("Missing data for required field.", ko)).toBe(ko.fieldRequired);
    expect(fieldMessage("Longer than maximum length 100.", ko)).toBe(ko.fieldTooLong);
    expect(fieldMessage("Must be at least 12 characters.", ko)).toBe(ko.passwordTooShort(12));
    expect(fieldMessage("Is too common (found in lists of breached passwords).", ko)).toBe(ko.passwordTooCommon);
    expect(fieldMessage("The account is archived.", ko)).toBe(ko.fieldArchived);
    expect(fieldMessage("Not a valid integer.", ko)).toBe(ko.fieldInvalid);
  });
});

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

function korean(children: preact.ComponentChildren) {
  return <I18nContext.Provider value={{ lang: "ko", t: ko, setLang: () => undefined }}>{children}</I18nContext.Provider>;
}

function answer(status: number, body: unknown) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/problem+json" } })),
  );
}

function labelled(label: string): HTMLInputElement {
  const element = [...root.querySelectorAll("label")].find((l) => l.textContent === label);
  const input = element && root.querySelector<HTMLInputElement>(`#${element.htmlFor}`);
  if (!input) throw new Error(`no field labelled ${label}`);
  return input;
}

async function click(name: string) {
  const button = [...root.querySelectorAll("button")].find((b) => b.textContent === name);
  if (!button) throw new Error(`no button ${name}`);
  await act(async () => button.click());
  await act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
}

async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

describe("a Korean screen", () => {
  it("shows a field error of the server in Korean next to its field", async () => {
    answer(422, {
      type: "about:blank",
      title: "Unprocessable Entity",
      status: 422,
      detail: "The request is not valid.",
      code: "validation_error",
      errors: { email: ["Not a valid email address."] },
    });
    await act(() => render(korean(<Login reason={null} next={null} created={false} />), root));
    await type(labelled(ko.email), "nope");
    await type(labelled(ko.password), "whatever it is");
    await click(ko.signIn);
    const email = labelled(ko.email);
    expect(root.querySelector(`#${email.getAttribute("aria-describedby")}`)?.textContent).toBe(ko.emailInvalid);
    expect(root.textContent).not.toContain("Not a valid");
  });

  it("shows a CSV import's row errors in Korean", async () => {
    answer(422, {
      type: "about:blank",
      title: "Unprocessable Entity",
      status: 422,
      detail: "1 row(s) are invalid. Nothing was imported.",
      code: "validation_error",
      errors: {
        rows: [
          {
            line: 2,
            errors: { amount: ["Must be an integer of minor units from 1 to 9007199254740991 (digits only)."] },
            codes: { amount: ["amount_invalid"] },
          },
        ],
      },
    });
    const current = { year: 2026, month: 11 };
    await act(() => render(korean(<CsvSection from={current} to={current} startDay={1} canImport />), root));
    const input = labelled(ko.csvFile);
    const file = new File(["occurred_on,type,account,to_account,category,amount,memo,tags\n2026-11-01,expense,Cash,,Food,0,,\n"], "bad.csv", {
      type: "text/csv",
    });
    Object.defineProperty(input, "files", { value: [file] });
    await act(async () => {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
    await click(ko.checkFile);
    const status = root.querySelector("[role=status]");
    expect(status?.textContent).toContain(ko.importProblems);
    expect(status?.textContent).toContain(`${ko.line(2)} ${ko.amount}: ${ko.importRow.amount_invalid}`);
    expect(status?.textContent).not.toMatch(/Must be|invalid/);
  });
});
