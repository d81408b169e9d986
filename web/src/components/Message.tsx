import type { ComponentChildren } from "preact";

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
