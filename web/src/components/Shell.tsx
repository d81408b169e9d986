import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { Link } from "../router";
import { auth } from "../services";
import { Alert } from "./Message";

const LINKS = [
  ["/", "dashboard"],
  ["/entries", "entries"],
  ["/accounts", "accounts"],
  ["/categories", "categories"],
  ["/budgets", "budgets"],
  ["/reports", "reports"],
  ["/settings", "settings"],
] as const;

/** The signed-in frame: the app's name, the main navigation and Sign out. */
export function Shell({ path, children }: { path: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const signOut = async () => {
    setBusy(true);
    setFailed(false);
    try {
      await auth.signOut("this-device"); // the app then shows the sign-in page
    } catch {
      setFailed(true);
      setBusy(false);
    }
  };
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header class="topbar">
        <div class="topbar__inner">
          <Link href="/" class="brand">
            {t.appName}
          </Link>
          <button type="button" class="button button--quiet" onClick={signOut} disabled={busy}>
            {t.signOut}
          </button>
        </div>
        <nav class="nav" aria-label={t.mainNav}>
          <ul>
            {LINKS.map(([href, key]) => (
              <li key={href}>
                <Link href={href} aria-current={path === href ? "page" : undefined}>
                  {t[key]}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {failed && <Alert>{t.signOutFailed}</Alert>}
        {children}
      </main>
    </div>
  );
}

/** The signed-out frame: sign-in and register. */
export function PublicFrame({ children }: { children: ComponentChildren }) {
  const { t, lang, setLang } = useI18n();
  const other = lang === "ko" ? "en" : "ko";
  return (
    <div class="public">
      <a class="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header class="public__header">
        <span class="brand">{t.appName}</span>
      </header>
      <main id="main" class="public__main" tabIndex={-1}>
        {children}
      </main>
      <footer class="public__footer">
        <button type="button" class="link-button" lang={other} onClick={() => setLang(other)}>
          {other === "ko" ? "한국어" : "English"}
        </button>
      </footer>
    </div>
  );
}
