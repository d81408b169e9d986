import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type Failure, failureMessage, failureOf, fieldErrors } from "../api/problem";
import type { SignOutReason } from "../auth/session";
import { Field } from "../components/Field";
import { Alert, Notice } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { Link, navigate, withNext } from "../router";
import { auth, publicApi } from "../services";
import { getPasskey, passkeysSupported } from "../auth/webauthn";
import { SecondStep, type Challenge } from "./LoginSecondStep";

/** Reasons the person did not choose are errors (role=alert); the others are notices. */
const SECURITY: ReadonlySet<SignOutReason> = new Set(["token_revoked", "refresh_token_reused", "invalid_token", "session_expired"]);

export function reasonText(reason: SignOutReason, t: Messages): string {
  return t[`reason_${reason}`];
}

interface Props {
  reason: SignOutReason | null;
  next: string | null;
  created: boolean;
}

export function Login({ reason, next, created }: Props) {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [challenge, setChallenge] = useState<Challenge | null>(null);

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = t.fieldRequired;
    if (!password) missing.password = t.fieldRequired;
    setFields(missing);
    setError(null);
    if (Object.keys(missing).length) {
      document.getElementById(Object.keys(missing)[0] ?? "email")?.focus();
      return;
    }
    setBusy(true);
    let failure: Failure;
    try {
      if (auth.signOutPending()) await auth.finishPendingSignOut(); // a sign-out made offline ends on the server first
      const result = await publicApi.POST("/api/v1/auth/login", { body: { email: email.trim(), password } });
      if (result.data && "mfa_required" in result.data) {
        setBusy(false);
        setPassword("");
        setChallenge(result.data);
        return;
      }
      if (result.data) {
        auth.signIn(result.data);
        navigate(next ?? "/", { replace: true });
        return;
      }
      failure = failureOf(result);
    } catch (thrown) {
      failure = failureOf({ thrown }); // the form keeps its values
    }
    setBusy(false);
    setFields(fieldErrors(failure, t));
    setError(failureMessage(failure, t, { invalid_credentials: t.invalidCredentials }));
  };

  const withPasskey = async () => {
    setError(null);
    let failure: Failure;
    try {
      const options = await publicApi.POST("/api/v1/auth/login/passkey/options");
      if (!options.data) {
        failure = failureOf(options);
      } else {
        let credential: Record<string, unknown>;
        try {
          credential = await getPasskey(options.data.options);
        } catch {
          setError(t.passkeyCancelled);
          return;
        }
        setBusy(true);
        const result = await publicApi.POST("/api/v1/auth/login/passkey", { body: { challenge: options.data.challenge, credential } });
        if (result.data) {
          auth.signIn(result.data);
          navigate(next ?? "/", { replace: true });
          return;
        }
        failure = failureOf(result);
      }
    } catch (thrown) {
      failure = failureOf({ thrown });
    }
    setBusy(false);
    setError(failureMessage(failure, t));
  };

  if (challenge) {
    return <SecondStep challenge={challenge} next={next} onRestart={() => setChallenge(null)} />;
  }

  return (
    <section class="card auth-card">
      <PageTitle>{t.signInTitle}</PageTitle>
      {reason && (SECURITY.has(reason) ? <Alert>{reasonText(reason, t)}</Alert> : <Notice>{reasonText(reason, t)}</Notice>)}
      {created && !reason && <Notice>{t.accountCreated}</Notice>}
      {error && <Alert>{error}</Alert>}
      <form noValidate onSubmit={submit} aria-busy={busy}>
        <Field id="email" label={t.email} type="email" autoComplete="username" inputMode="email" value={email} onValue={setEmail} error={fields.email} />
        <Field id="password" label={t.password} type="password" autoComplete="current-password" value={password} onValue={setPassword} error={fields.password} />
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {t.signIn}
        </button>
      </form>
      {passkeysSupported() && (
        <button type="button" class="button button--wide" disabled={busy} onClick={() => void withPasskey()}>
          {t.signInWithPasskey}
        </button>
      )}
      <p class="auth-card__switch">
        {t.newHere} <Link href={withNext("/register", next)}>{t.createAccount}</Link>
      </p>
    </section>
  );
}
