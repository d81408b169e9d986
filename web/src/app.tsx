/** Routes (docs/UI.md) and the sign-in gate: signed-out visits to signed-in routes go to /login and,
 * after sign-in, back to where they were going. */
import { useEffect, useMemo, useState } from "preact/hooks";
import type { AuthState, SignOutReason } from "./auth/session";
import { lazy } from "./components/lazy";
import { PublicFrame, Shell } from "./components/Shell";
import { applyLang, catalogues, I18nContext, type Lang, saveLang, useI18n } from "./i18n";
import { Redirect, safeNext, useLocation } from "./router";
import { Dashboard } from "./screens/Dashboard";
import { Login } from "./screens/Login";
import { claim, keptOwner } from "./offline/store";
import { auth } from "./services";

const Register = lazy(() => import("./screens/Register"));
const Settings = lazy(() => import("./screens/Settings"));
const Entries = lazy(() => import("./screens/Entries"));
const Accounts = lazy(() => import("./screens/Accounts"));
const Categories = lazy(() => import("./screens/Categories"));
const Budgets = lazy(() => import("./screens/Budgets"));
const Reports = lazy(() => import("./screens/Reports"));
const Schedules = lazy(() => import("./screens/Schedules"));
const NotFound = lazy(() => import("./screens/NotFound"));
const Household = lazy(() => import("./screens/Household"));
const Security = lazy(() => import("./screens/Security"));
const Invite = lazy(() => import("./screens/Invite"));
const CardStatement = lazy(() => import("./screens/CardStatement"));
const Payees = lazy(() => import("./screens/Payees"));
const Rules = lazy(() => import("./screens/Rules"));

/** After these the person chose to leave: no "next" page to come back to. */
const CHOSEN: ReadonlySet<SignOutReason> = new Set(["signed_out", "signed_out_everywhere", "account_deleted"]);

function signedInScreen(path: string) {
  switch (path) {
    case "/":
      return <Dashboard />;
    case "/entries":
      return <Entries />;
    case "/accounts":
      return <Accounts />;
    case "/categories":
      return <Categories />;
    case "/budgets":
      return <Budgets />;
    case "/payees":
      return <Payees />;
    case "/rules":
      return <Rules />;
    case "/reports":
      return <Reports />;
    case "/schedules":
      return <Schedules />;
    case "/settings":
      return <Settings />;
    case "/settings/household":
      return <Household />;
    case "/settings/security":
      return <Security />;
    default: {
      const statement = /^\/accounts\/([1-9][0-9]{0,9})\/statement$/.exec(path);
      if (statement) return <CardStatement accountId={Number(statement[1])} />;
      const token = inviteToken(path);
      return token ? <Invite token={token} /> : <NotFound />;
    }
  }
}

export function App({ initialLang }: { initialLang: Lang }) {
  const [state, setState] = useState<AuthState>(auth.state);
  const [lang, setLangState] = useState<Lang>(initialLang);
  const { path, query } = useLocation();
  // Whose ledger this device keeps, when the server can't say who is signed in: the app opens offline on it.
  const [offlineOwner, setOfflineOwner] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    setState(auth.state); // it may have changed between the first render and this effect
    return auth.subscribe(setState);
  }, []);
  useEffect(() => {
    if (state.status !== "unreachable") return;
    let live = true;
    void keptOwner().then((owner) => {
      if (!live) return;
      if (owner !== null) void claim(owner);
      setOfflineOwner(owner);
    });
    return () => {
      live = false;
    };
  }, [state.status]);
  useEffect(() => applyLang(lang), [lang]);
  const i18n = useMemo(
    () => ({
      lang,
      t: catalogues[lang],
      setLang: (next: Lang) => {
        saveLang(next);
        setLangState(next);
      },
    }),
    [lang],
  );
  return <I18nContext.Provider value={i18n}>{route(state, path, query, offlineOwner)}</I18nContext.Provider>;
}

function route(state: AuthState, path: string, query: URLSearchParams, offlineOwner: string | null | undefined) {
  const isPublic = path === "/login" || path === "/register";
  switch (state.status) {
    case "starting":
      return <Starting />;
    case "unreachable":
      if (offlineOwner === undefined) return <Starting />;
      if (offlineOwner === null || isPublic) return <Unreachable />;
      return (
        <Shell userId={offlineOwner} path={path} key={offlineOwner}>
          {signedInScreen(path)}
        </Shell>
      );
    case "signed-in":
      if (isPublic) return <Redirect to={safeNext(query.get("next")) ?? "/"} />;
      return (
        <Shell userId={state.userId} path={path} key={state.userId}>
          {signedInScreen(path)}
        </Shell>
      );
    case "signed-out":
      if (path === "/register") {
        return (
          <PublicFrame>
            <Register next={safeNext(query.get("next"))} />
          </PublicFrame>
        );
      }
      {
        const token = inviteToken(path);
        if (token) {
          return (
            <PublicFrame>
              <Invite token={token} />
            </PublicFrame>
          );
        }
      }
      if (path === "/login") {
        return (
          <PublicFrame>
            <Login reason={state.reason} next={safeNext(query.get("next"))} created={query.has("created")} />
          </PublicFrame>
        );
      }
      {
        const next = state.reason && CHOSEN.has(state.reason) ? null : safeNext(path + (query.toString() ? `?${query}` : ""));
        return <Redirect to={next && next !== "/" ? `/login?next=${encodeURIComponent(next)}` : "/login"} />;
      }
  }
}

/** The token of an invitation link (`/invite/<token>`), reachable signed in and signed out. */
function inviteToken(path: string): string | null {
  const match = /^\/invite\/([A-Za-z0-9_-]+)$/.exec(path);
  return match?.[1] ?? null;
}

function Starting() {
  const { t } = useI18n();
  return (
    <p class="starting" role="status">
      {t.loading}
    </p>
  );
}

function Unreachable() {
  const { t } = useI18n();
  return (
    <PublicFrame>
      <h1>{t.unreachableTitle}</h1>
      <div role="alert" class="message message--error">
        {t.unreachableBody}
      </div>
      <button type="button" class="button" onClick={() => void auth.start()}>
        {t.retry}
      </button>
    </PublicFrame>
  );
}
