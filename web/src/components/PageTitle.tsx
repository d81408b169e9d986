import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

let firstPage = true;

/** The page's <h1>. After a client-side navigation it takes the focus, so that a screen reader
 * announces the new page and the keyboard starts from its top. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
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
