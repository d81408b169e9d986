/** The phone's bottom tab bar (≤ 600 px, and the installed app): Dashboard, Entries, a central "+" (Add entry),
 * Reports, and More, a disclosure with the rest of the main navigation. Real links and buttons, so a thumb and
 * a keyboard reach the same things; on a laptop it is hidden (display: none) and the top navigation stays. */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { Link, navigate } from "../router";

/** Asks the screen on view to open its new-entry form (the dashboard and the entries listen). */
export const NEW_ENTRY_EVENT = "ledger:new-entry";

const MORE = [
  ["/accounts", "accounts"],
  ["/categories", "categories"],
  ["/budgets", "budgets"],
  ["/settings", "settings"],
] as const;

export function TabBar({ path, writable }: { path: string; writable: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  const current = (href: string) => (path === href ? "page" : undefined);
  const add = () => {
    if (path === "/" || path === "/entries") window.dispatchEvent(new CustomEvent(NEW_ENTRY_EVENT));
    else navigate("/entries?new=1");
  };
  const inMore = MORE.some(([href]) => path.startsWith(href));
  return (
    <nav class="tabbar" aria-label={t.tabBar}>
      <ul id="tabbar-more" class="tabbar__more" hidden={!open}>
        {MORE.map(([href, key]) => (
          <li key={href}>
            <Link href={href} aria-current={current(href)}>
              {t[key]}
            </Link>
          </li>
        ))}
      </ul>
      <ul class="tabbar__tabs">
        <li>
          <Link href="/" aria-current={current("/")}>
            <span class="tabbar__icon" aria-hidden="true">
              ◔
            </span>
            {t.dashboard}
          </Link>
        </li>
        <li>
          <Link href="/entries" aria-current={current("/entries")}>
            <span class="tabbar__icon" aria-hidden="true">
              ≡
            </span>
            {t.entries}
          </Link>
        </li>
        <li class="tabbar__add">
          {writable && (
            <button type="button" class="tabbar__plus" aria-label={t.addEntry} onClick={add}>
              <span aria-hidden="true">+</span>
            </button>
          )}
        </li>
        <li>
          <Link href="/reports" aria-current={current("/reports")}>
            <span class="tabbar__icon" aria-hidden="true">
              ▥
            </span>
            {t.reports}
          </Link>
        </li>
        <li>
          <button type="button" class={`tabbar__morebutton${inMore ? " is-current" : ""}`} aria-expanded={open} aria-controls="tabbar-more" onClick={() => setOpen(!open)}>
            <span class="tabbar__icon" aria-hidden="true">
              ⋯
            </span>
            {t.more}
          </button>
        </li>
      </ul>
    </nav>
  );
}
