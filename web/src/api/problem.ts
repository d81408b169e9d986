/** Turning a failed call into what a person should read: a message, and errors next to fields. */
import type { Messages } from "../i18n/en";
import { RefreshUnavailableError, SignedOutError } from "../auth/session";
import type { Problem } from "./client";

export type Failure =
  | { kind: "network" }
  | { kind: "signed-out" }
  | { kind: "problem"; status: number; problem: Problem | null; retryAfter: number | null };

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

/** Server messages for each field of a validation_error (`errors`: field → list of messages). */
export function fieldErrors(failure: Failure): Record<string, string> {
  if (failure.kind !== "problem" || failure.problem?.code !== "validation_error") return {};
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(failure.problem.errors ?? {})) {
    if (Array.isArray(messages)) out[field] = messages.filter((m) => typeof m === "string").join(" ");
    else if (typeof messages === "string") out[field] = messages;
  }
  return out;
}

/** The sentence for a failure; `byCode` gives the screen's own words for some problem codes.
 * A validation error whose every message is shown next to a field returns `formHasErrors`. */
export function failureMessage(failure: Failure, t: Messages, byCode: Record<string, string> = {}): string | null {
  switch (failure.kind) {
    case "network":
      return t.networkError;
    case "signed-out":
      return null; // the app is on its way to the sign-in page, which says why
    case "problem": {
      const code = failure.problem?.code ?? "";
      if (byCode[code]) return byCode[code];
      if (failure.status === 429) return t.retryIn(Math.max(1, failure.retryAfter ?? 60));
      if (code === "validation_error") return t.formHasErrors;
      if (failure.status >= 500) return t.serverError;
      return failure.problem?.detail ?? failure.problem?.title ?? t.serverError;
    }
  }
}
