import type { ComponentChildren } from "preact";
import { type Failure, failureMessage } from "../api/problem";
import { useI18n } from "../i18n";

/** Errors: role=alert (announced at once). */
export function Alert({ children }: { children: ComponentChildren }) {
  return (
    <div role="alert" class="message message--error">
      {children}
    </div>
  );
}

/** Notices: role=status (announced politely). */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div role="status" class="message message--notice">
      {children}
    </div>
  );
}

/** The outcome line of a form: an error (alert) or a notice (status). */
export type Said = { error: string } | { notice: string } | null;

export function Said({ said }: { said: Said }) {
  if (!said) return null;
  return "error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>;
}

/** Data on its way (useResource's first load). */
export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" class="loading">
      {t.loading}
    </p>
  );
}

/** A load that failed (useResource's `failure`): why, and a Retry button that loads again. Nothing when the
 * session is over: the app is on its way to the sign-in page, which says why. */
export function LoadError({ failure, retry }: { failure: Failure; retry: () => void }) {
  const { t } = useI18n();
  const message = failureMessage(failure, t);
  if (message === null) return null;
  return (
    <div role="alert" class="message message--error load-error">
      <span>{message}</span>
      <button type="button" class="button button--small" onClick={retry}>
        {t.retry}
      </button>
    </div>
  );
}
