/** Turning a failed call into what a person should read: a message, and errors next to fields. */
import type { Messages } from "../i18n/en";
import { RefreshUnavailableError, SignedOutError } from "../auth/session";
import type { Problem } from "./client";

export type Failure = { kind: "network" } | { kind: "signed-out" } | { kind: "problem"; status: number; problem: Problem | null; retryAfter: number | null };

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "code" in value && "status" in value;
}

/** What went wrong, from openapi-fetch's answer or from what it threw. */
export function failureOf(result: { error?: unknown; response: Response } | { thrown: unknown }): Failure {
  if ("thrown" in result) {
    if (result.thrown instanceof SignedOutError) return { kind: "signed-out" };
    if (result.thrown instanceof RefreshUnavailableError && result.thrown.status !== null) {
      return { kind: "problem", status: result.thrown.status, problem: null, retryAfter: null };
    }
    return { kind: "network" };
  }
  const header = result.response.headers.get("Retry-After");
  const seconds = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : null;
  return {
    kind: "problem",
    status: result.response.status,
    problem: isProblem(result.error) ? result.error : null,
    retryAfter: seconds,
  };
}

/** The server's field messages carry no code: they are marshmallow's and the services' English sentences.
 * Each is recognised by its kind and said in the reader's language; one of another kind is `fieldInvalid`. */
const FIELD_MESSAGE_KINDS: [RegExp, (t: Messages, match: RegExpExecArray) => string][] = [
  [/^Missing data for required field|^Field may not be null/, (t) => t.fieldRequired],
  [/^Longer than maximum length|^Length must be between|^Must be at most \d+ characters/, (t) => t.fieldTooLong],
  [/^Must be at least (\d+) characters/, (t, match) => t.passwordTooShort(Number(match[1]))],
  [/^Is too common/, (t) => t.passwordTooCommon],
  [/^Must not be the email/, (t) => t.passwordIsEmail],
  [/^Not a valid email/, (t) => t.emailInvalid],
  [/is archived\.$/, (t) => t.fieldArchived],
  [/^No such /, (t) => t.fieldGone],
];

export function fieldMessage(message: string, t: Messages): string {
  for (const [pattern, say] of FIELD_MESSAGE_KINDS) {
    const match = pattern.exec(message);
    if (match) return say(t, match);
  }
  return t.fieldInvalid;
}

/** What is wrong with each field of a validation_error (`errors`: field → list of messages), in `t`'s words. */
export function fieldErrors(failure: Failure, t: Messages): Record<string, string> {
  if (failure.kind !== "problem" || failure.problem?.code !== "validation_error") return {};
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(failure.problem.errors ?? {})) {
    const found = Array.isArray(messages) ? messages.filter((m) => typeof m === "string") : typeof messages === "string" ? [messages] : [];
    if (found.length) out[field] = [...new Set(found.map((m) => fieldMessage(m, t)))].join(" ");
  }
  return out;
}

/** The sentence for a failure; `byCode` gives the screen's own words for some problem codes, the catalogue
 * (`t.problem`) the words for every other code: never the server's English `detail`.
 * A validation error whose every message is shown next to a field returns `formHasErrors`. */
export function failureMessage(failure: Failure, t: Messages, byCode: Record<string, string> = {}): string | null {
  switch (failure.kind) {
    case "network":
      return t.networkError;
    case "signed-out":
      return null; // the app is on its way to the sign-in page, which says why
    case "problem": {
      const code = failure.problem?.code;
      if (code && byCode[code]) return byCode[code];
      if (failure.status === 429) return t.retryIn(Math.max(1, failure.retryAfter ?? 60));
      if (code === "validation_error") return t.formHasErrors;
      if (failure.status >= 500) return t.serverError;
      return code && code in t.problem ? t.problem[code] : t.serverError;
    }
  }
}
