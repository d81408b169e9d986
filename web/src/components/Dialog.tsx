/** A modal dialog: the native <dialog> (the page behind is inert), Tab and Shift+Tab kept inside,
 * Escape closes, and the focus goes back to what had it before (the button that opened it). */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../i18n";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** the element to focus first (by id); else the first field */
  initialFocus?: string;
  wide?: boolean;
}

export function Dialog({ title, onClose, children, initialFocus, wide }: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = (initialFocus && dialog.querySelector<HTMLElement>(`#${initialFocus}`)) || dialog.querySelector<HTMLElement>(".dialog__body " + FOCUSABLE);
    first?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault();
      closeRef.current();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Tab") return;
      const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
      if (!items.length) return;
      const firstItem = items[0]!;
      const lastItem = items[items.length - 1]!;
      if (event.shiftKey && document.activeElement === firstItem) {
        event.preventDefault();
        lastItem.focus();
      } else if (!event.shiftKey && document.activeElement === lastItem) {
        event.preventDefault();
        firstItem.focus();
      }
    };
    dialog.addEventListener("cancel", onCancel);
    dialog.addEventListener("keydown", onKey);
    return () => {
      dialog.removeEventListener("cancel", onCancel);
      dialog.removeEventListener("keydown", onKey);
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
    // Once, when the dialog opens: a later initialFocus (a form that finished loading) must not move the focus.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <dialog ref={ref} class={wide ? "dialog dialog--wide" : "dialog"} aria-labelledby="dialog-title">
      <div class="dialog__head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" class="button button--quiet button--icon" aria-label={t.close} onClick={() => closeRef.current()}>
          <span aria-hidden="true">✕</span>
        </button>
      </div>
      <div class="dialog__body">{children}</div>
    </dialog>
  );
}
