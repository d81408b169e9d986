import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type Failure, failureMessage, failureOf, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { Alert } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import { Link, navigate, withNext } from "../router";
import { auth, publicApi } from "../services";

/** `next`: where to go once signed in (an invitation, for one). */
export default function Register({ next }: { next: string | null }) {
  const { t, lang } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const fail = (failure: Failure) => {
    setBusy(false);
    const byField = fieldErrors(failure, t);
    if (failure.kind === "problem" && failure.problem?.code === "conflict") byField.email = t.emailTaken;
    setFields(byField);
    setError(failureMessage(failure, t, { conflict: t.formHasErrors, registration_closed: t.registrationClosed }));
    const first = Object.keys(byField)[0];
    if (first) document.getElementById(first)?.focus();
  };

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
    const body = { email: email.trim(), password };
    try {
      // The UI's language is the language of the default categories and account (식비, 현금, ...).
      const created = await publicApi.POST("/api/v1/auth/register", { body: { ...body, locale: lang } });
      if (!created.response.ok) return fail(failureOf(created));
    } catch (thrown) {
      return fail(failureOf({ thrown }));
    }
    try {
      const login = await publicApi.POST("/api/v1/auth/login", { body });
      if (login.data && "access_token" in login.data) {
        auth.signIn(login.data);
        navigate(next ?? "/", { replace: true });
        return;
      }
    } catch {
      // the account exists: signing in by hand is the way on
    }
    navigate(withNext("/login?created=1", next), { replace: true });
  };

  return (
    <section class="card auth-card">
      <PageTitle>{t.registerTitle}</PageTitle>
      <p class="lead">{t.registerIntro}</p>
      {error && <Alert>{error}</Alert>}
      <form noValidate onSubmit={submit} aria-busy={busy}>
        <Field id="email" label={t.email} type="email" autoComplete="email" inputMode="email" value={email} onValue={setEmail} error={fields.email} />
        <Field id="password" label={t.password} type="password" autoComplete="new-password" value={password} onValue={setPassword} hint={t.passwordHint} error={fields.password} />
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {t.createAccount}
        </button>
      </form>
      <p class="auth-card__switch">
        {t.haveAccount} <Link href={withNext("/login", next)}>{t.signIn}</Link>
      </p>
    </section>
  );
}
