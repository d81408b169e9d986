/** `/settings`: profile, the household (a link to /settings/household), language, devices, password, sign out
 * everywhere, delete account. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Schemas, User } from "../api/client";
import { failureMessage, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { LoadError, Loading, Said } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { meStore, useMe } from "../data";
import { formatDateTime, LANG_NAMES, LANGS, type Lang, useI18n } from "../i18n";
import { call } from "../ledger";
import { useLedger } from "../ledgers";
import { Link } from "../router";
import { api, auth } from "../services";
import { useResource } from "../useResource";
import { parseUserAgent } from "../useragent";

type Session = Schemas["Session"];

export default function Settings() {
  const { t } = useI18n();
  const me = useMe();
  return (
    <div class="settings">
      <PageTitle>{t.settingsTitle}</PageTitle>
      {me.data ? <Profile user={me.data} /> : me.failure ? <LoadError failure={me.failure} retry={me.reload} /> : <Loading />}
      <HouseholdLink />
      <SecurityLink />
      <Language />
      <Devices />
      <ChangePassword email={me.data?.email ?? ""} />
      <SignOutEverywhere />
      <DeleteAccount />
    </div>
  );
}

function Profile({ user }: { user: User }) {
  const { t } = useI18n();
  const [name, setName] = useState(user.display_name);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setSaid(null);
    const result = await call(() => api.PATCH("/api/v1/me", { body: { display_name: name.trim() } }));
    setBusy(false);
    if ("data" in result) {
      meStore.set(result.data);
      setFields({});
      setSaid({ notice: t.profileSaved });
      return;
    }
    setFields(fieldErrors(result.failure, t));
    const message = failureMessage(result.failure, t);
    if (message) setSaid({ error: message });
  };
  return (
    <section class="card" aria-labelledby="profile-title">
      <h2 id="profile-title">{t.profile}</h2>
      <Said said={said} />
      <form noValidate onSubmit={submit}>
        <Field id="display_name" label={t.displayName} autoComplete="nickname" maxLength={100} value={name} onValue={setName} error={fields.display_name} />
        <button type="submit" class="button button--primary" disabled={busy}>
          {t.save}
        </button>
      </form>
    </section>
  );
}

/** Two-step sign-in, recovery codes and passkeys: /settings/security. */
function SecurityLink() {
  const { t } = useI18n();
  return (
    <section class="card" aria-labelledby="security-title">
      <h2 id="security-title">{t.security}</h2>
      <Link href="/settings/security">{t.securityLink}</Link>
    </section>
  );
}

/** The month start day, the currency and the members belong to a ledger: they are set on the household page. */
function HouseholdLink() {
  const { t } = useI18n();
  const { ledger } = useLedger();
  return (
    <section class="card" aria-labelledby="household-title">
      <h2 id="household-title">{t.household}</h2>
      <p>{ledger.name}</p>
      <Link href="/settings/household">{t.householdLink}</Link>
    </section>
  );
}

function Language() {
  const { t, lang, setLang } = useI18n();
  return (
    <section class="card" aria-labelledby="language-title">
      <h2 id="language-title">{t.language}</h2>
      <div class="field">
        <label for="language">{t.language}</label>
        <select id="language" value={lang} aria-describedby="language-hint" onChange={(event) => setLang(event.currentTarget.value as Lang)}>
          {LANGS.map((code) => (
            <option key={code} value={code} lang={code}>
              {LANG_NAMES[code]}
            </option>
          ))}
        </select>
        <p id="language-hint" class="hint">
          {t.languageHelp}
        </p>
      </div>
    </section>
  );
}

function Devices() {
  const { t, lang } = useI18n();
  const sessions = useResource(async (signal) => {
    const outcome = await call(() => api.GET("/api/v1/auth/sessions", { signal }));
    return "data" in outcome ? { data: outcome.data.items } : outcome;
  }, []);
  const [said, setSaid] = useState<Said>(null);

  const name = (session: Session) => {
    const device = parseUserAgent(session.user_agent);
    return t.deviceName(device.browser, device.os);
  };
  const end = async (session: Session) => {
    setSaid(null);
    const result = await call(() => api.DELETE("/api/v1/auth/sessions/{session_id}", { params: { path: { session_id: String(session.id) } } }));
    if ("data" in result) {
      setSaid({ notice: t.deviceSignedOut(name(session)) });
      sessions.mutate((list) => list?.filter((s) => s.id !== session.id));
      sessions.reload();
      return;
    }
    const message = failureMessage(result.failure, t);
    if (message) setSaid({ error: message });
  };

  const sorted = [...(sessions.data ?? [])].sort((a, b) => Number(b.current) - Number(a.current) || b.last_used_at.localeCompare(a.last_used_at));
  return (
    <section class="card" aria-labelledby="devices-title">
      <h2 id="devices-title">{t.devices}</h2>
      <p class="hint">{t.devicesHelp}</p>
      <Said said={said} />
      {sessions.failure && <LoadError failure={sessions.failure} retry={sessions.reload} />}
      {sessions.data === undefined ? (
        sessions.loading && <Loading />
      ) : (
        <ul class="devices" aria-busy={sessions.loading || undefined}>
          {sorted.map((session) => (
            <li key={session.id} class="device">
              <div class="device__text">
                <span class="device__name">{name(session)}</span>
                {session.current && <span class="badge">{t.thisDevice}</span>}
                <span class="device__meta">
                  {session.last_used_at ? t.lastUsed(formatDateTime(session.last_used_at, lang)) : null}
                  {session.ip ? ` · ${session.ip}` : null}
                  {` · ${t.signedInWith(t.factorName[session.factor] ?? session.factor)}`}
                </span>
              </div>
              {!session.current && (
                <button type="button" class="button button--small" aria-label={t.signOutDevice(name(session))} onClick={() => end(session)}>
                  {t.signOut}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ChangePassword({ email }: { email: string }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!current) missing.current_password = t.fieldRequired;
    if (!next) missing.new_password = t.fieldRequired;
    setFields(missing);
    setSaid(null);
    if (Object.keys(missing).length) return;
    setBusy(true);
    const result = await call(() => api.POST("/api/v1/me/password", { body: { current_password: current, new_password: next } }));
    setBusy(false);
    if ("data" in result) {
      // Every other token of the person was revoked: this tab and its siblings take the new pair.
      auth.adoptPair(result.data);
      setCurrent("");
      setNext("");
      setFields({});
      setSaid({ notice: t.passwordChanged });
      return;
    }
    const byField = fieldErrors(result.failure, t);
    const wrong = result.failure.kind === "problem" && result.failure.problem?.code === "invalid_credentials";
    if (wrong) byField.current_password = t.wrongPassword;
    setFields(byField);
    const message = failureMessage(result.failure, t, { invalid_credentials: t.formHasErrors });
    if (message) setSaid({ error: message });
  };
  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">{t.changePassword}</h2>
      <Said said={said} />
      <form noValidate onSubmit={submit}>
        {/* for password managers: which account's password this is */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <Field
          id="current_password"
          label={t.currentPassword}
          type="password"
          autoComplete="current-password"
          value={current}
          onValue={setCurrent}
          error={fields.current_password}
        />
        <Field
          id="new_password"
          label={t.newPassword}
          type="password"
          autoComplete="new-password"
          value={next}
          onValue={setNext}
          hint={t.passwordHint}
          error={fields.new_password}
        />
        <button type="submit" class="button button--primary" disabled={busy}>
          {t.changePassword}
        </button>
      </form>
    </section>
  );
}

function SignOutEverywhere() {
  const { t } = useI18n();
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setSaid(null);
    try {
      await auth.signOut("everywhere");
    } catch {
      setSaid({ error: t.signOutFailed });
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="everywhere-title">
      <h2 id="everywhere-title">{t.signOutEverywhere}</h2>
      <p class="hint">{t.signOutEverywhereHelp}</p>
      <Said said={said} />
      <button type="button" class="button" onClick={run} disabled={busy}>
        {t.signOutEverywhere}
      </button>
    </section>
  );
}

function DeleteAccount() {
  const { t } = useI18n();
  const [password, setPassword] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    if (!password) {
      setFields({ password: t.fieldRequired });
      return;
    }
    setBusy(true);
    const result = await call(() => api.DELETE("/api/v1/me", { body: { password } }));
    setBusy(false);
    if ("data" in result) {
      auth.endSession("account_deleted", true);
      return;
    }
    const byField = fieldErrors(result.failure, t);
    if (result.failure.kind === "problem" && result.failure.problem?.code === "invalid_credentials") byField.password = t.wrongPassword;
    setFields(byField);
    const message = failureMessage(result.failure, t, { invalid_credentials: t.formHasErrors });
    if (message) setSaid({ error: message });
  };
  return (
    <section class="card card--danger" aria-labelledby="delete-title">
      <h2 id="delete-title">{t.deleteAccount}</h2>
      <p class="hint">{t.deleteAccountHelp}</p>
      <Said said={said} />
      <form noValidate onSubmit={submit}>
        <Field id="delete_password" label={t.deleteAccountConfirm} type="password" autoComplete="current-password" value={password} onValue={setPassword} error={fields.password} />
        <button type="submit" class="button button--danger" disabled={busy}>
          {t.deleteAccountButton}
        </button>
      </form>
    </section>
  );
}
