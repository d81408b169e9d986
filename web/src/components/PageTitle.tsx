import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../i18n";

let firstPage = true;

/** The page's <h1>, and the document's title. After a client-side navigation the heading takes the
 * focus, so that a screen reader announces the new page and the keyboard starts from its top. */
export function PageTitle({ children }: { children: string }) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · ${t.appName}`;
  }, [children, t]);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
