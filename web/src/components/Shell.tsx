import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ledgersStore, useMe } from "../data";
import { useI18n } from "../i18n";
import { LEDGER_STORES } from "../ledger";
import { canWrite, chooseLedger, type Ledger, type LedgerChoice, LedgerContext, ledgerScope, onLedgerRefused, pickLedger, rememberedLedger, rememberLedger } from "../ledgers";
import { RefreshUnavailableError } from "../auth/session";
import { flushOutbox, syncNow } from "../offline/app";
import { forget } from "../offline/store";
import { Link } from "../router";
import { auth } from "../services";
import { Alert, LoadError, Loading, Notice } from "./Message";
import { NewLedger } from "./NewLedger";
import { OfflineBanner, OutboxPanel, UpdatePrompt } from "./Offline";
import { TabBar } from "./TabBar";

/** How often a visible app follows the ledger's change feed (and on every return to the network). */
const SYNC_MS = 60_000;

const storage = () => (typeof localStorage === "undefined" ? null : localStorage);

const LINKS = [
  ["/", "dashboard"],
  ["/entries", "entries"],
  ["/accounts", "accounts"],
  ["/categories", "categories"],
  ["/payees", "payees"],
  ["/rules", "rules"],
  ["/budgets", "budgets"],
  ["/reports", "reports"],
  ["/schedules", "schedules"],
  ["/settings", "settings"],
] as const;

/** The signed-in frame: the app's name, the ledger switcher, the main navigation and Sign out. The screens
 * render once the person and their ledgers are loaded and a ledger is chosen (the remembered one, else their
 * default); choosing another forgets the old ledger's data and renders the screen afresh. */
export function Shell({ userId, path, children }: { userId: string; path: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const me = useMe();
  const ledgers = ledgersStore.use();
  const [chosen, setChosen] = useState<number | null>(null);
  // What a switch made elsewhere says (joined, left, created, deleted, no longer a member), until the next screen.
  const [notice, setNotice] = useState<{ text: string; path: string } | null>(null);
  const say = (text: string | null) => setNotice(text === null ? null : { text, path: location.pathname });
  const last = useRef<Ledger | null>(null);
  const list = ledgers.data;
  const shownList = useRef(list);
  shownList.current = list;
  // A ledger chosen before the list has it (just joined or created): wait for a list loaded after the choice.
  const awaited = useRef<{ id: number; list: Ledger[] | undefined } | null>(null);

  const switchTo = (id: number, said: string | null = null) => {
    say(said);
    rememberLedger(storage(), userId, id);
    for (const store of LEDGER_STORES) store.reset();
    chooseLedger(id);
    setChosen(id);
    if (!shownList.current?.some((l) => l.id === id)) {
      awaited.current = { id, list: shownList.current };
      void ledgersStore.reload();
    }
  };
  // The list decides: at start, and whenever it changes (a ledger left, deleted, or joined), the choice is
  // checked; a ledger the person is no longer in gives way to their default, and they are told.
  const defaultId = me.data?.default_ledger_id ?? null;
  useEffect(() => {
    if (!list || !me.data) return;
    const current = list.find((l) => l.id === ledgerScope.current());
    if (current) {
      last.current = current;
      awaited.current = null;
      if (chosen !== current.id) setChosen(current.id);
      return;
    }
    if (awaited.current?.id === ledgerScope.current() && awaited.current.list === list) return;
    awaited.current = null;
    const next = pickLedger(list, last.current ? null : rememberedLedger(storage(), userId), defaultId);
    const gone = last.current;
    last.current = next;
    if (next) switchTo(next.id, gone ? t.ledgerLost(gone.name) : null);
    else if (gone) say(t.ledgerLost(gone.name));
    // switchTo is this render's closure over userId, which keys this frame
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list, me.data, defaultId, userId, chosen]);
  useEffect(() => onLedgerRefused(() => void ledgersStore.reload()), []);
  useEffect(() => () => chooseLedger(null), []); // the next person starts from their own choice

  const ledger = list?.find((l) => l.id === chosen) ?? null;
  const choice = useMemo<LedgerChoice | null>(
    () => (ledger && list ? { ledger, ledgers: list, switchTo, reload: ledgersStore.reload } : null),
    // The screens re-render when the ledger or the list changes, not with every new switchTo closure.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ledger, list],
  );
  // The ledger's rows follow the change feed while the app is open (for reading offline), and what was
  // written offline goes out once the ledger is known.
  const ledgerId = ledger?.id;
  const startDay = ledger?.month_start_day ?? 1;
  useEffect(() => {
    if (ledgerId === undefined) return;
    const run = () => {
      if (document.visibilityState === "visible" && navigator.onLine) {
        void flushOutbox().then(() => syncNow(ledgerId, startDay));
      }
    };
    run();
    const timer = setInterval(run, SYNC_MS);
    window.addEventListener("online", run);
    return () => {
      clearInterval(timer);
      window.removeEventListener("online", run);
    };
  }, [ledgerId, startDay]);

  const signOut = async () => {
    setBusy(true);
    setFailed(false);
    try {
      await auth.signOut("this-device"); // the app then shows the sign-in page
    } catch (error) {
      if (error instanceof TypeError || (error instanceof RefreshUnavailableError && error.status === null)) {
        // No network: this device forgets the person now (IndexedDB, the outbox included); the server hears of
        // it at the next start-up or sign-in (docs/SPA-AUTH.md "Offline").
        await forget();
        auth.signOutOffline();
        return;
      }
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
          {choice && <LedgerSwitcher choice={choice} />}
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
        <OfflineBanner />
        {failed && <Alert>{t.signOutFailed}</Alert>}
        {notice?.path === path && <Notice>{notice.text}</Notice>}
        {choice ? (
          <LedgerContext.Provider value={choice} key={choice.ledger.id}>
            <OutboxPanel />
            {children}
          </LedgerContext.Provider>
        ) : me.failure || ledgers.failure ? (
          <LoadError
            failure={(me.failure ?? ledgers.failure)!}
            retry={() => {
              if (me.failure) me.reload();
              if (ledgers.failure) ledgers.reload();
            }}
          />
        ) : list && list.length === 0 ? (
          <>
            <p>{t.noLedger}</p>
            <NewLedger onCreated={(created) => switchTo(created.id, t.ledgerCreated(created.name))} />
          </>
        ) : (
          <Loading />
        )}
      </main>
      <TabBar path={path} writable={choice ? canWrite(choice.ledger.role) : false} />
      <UpdatePrompt />
    </div>
  );
}

/** The header's menu of the person's ledgers: choosing one works in it from now on, on this device. */
function LedgerSwitcher({ choice }: { choice: LedgerChoice }) {
  const { t } = useI18n();
  return (
    <div class="ledger-switch">
      <label for="ledger-switch" class="visually-hidden">
        {t.ledger}
      </label>
      <select id="ledger-switch" value={String(choice.ledger.id)} onChange={(event) => choice.switchTo(Number(event.currentTarget.value))}>
        {choice.ledgers.map((l) => (
          <option key={l.id} value={String(l.id)}>
            {l.name}
          </option>
        ))}
      </select>
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
