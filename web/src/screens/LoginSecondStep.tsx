import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { components } from "../api/schema";
import { type Failure, failureMessage, failureOf, fieldErrors } from "../api/problem";
import { getPasskey, passkeysSupported } from "../auth/webauthn";
import { Field } from "../components/Field";
import { Alert } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import { navigate } from "../router";
import { auth, publicApi } from "../services";

export type Challenge = components["schemas"]["MfaChallenge"];

/** Codes that end this sign-in attempt: the person starts again from the password. */
const RESTART = new Set(["challenge_expired", "challenge_used", "invalid_challenge"]);

interface Props {
  challenge: Challenge;
  next: string | null;
  onRestart: () => void;
}

/** The second step of a sign-in: a code of the authenticator app, a recovery code, or a passkey. */
export function SecondStep({ challenge, next, onRestart }: Props) {
  const { t } = useI18n();
  const [useRecovery, setUseRecovery] = useState(!challenge.methods.includes("totp"));
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [ended, setEnded] = useState(false);

  const finish = async (body: { code?: string; recovery_code?: string; credential?: Record<string, unknown> }) => {
    setBusy(true);
    setError(null);
    let failure: Failure;
    try {
      const result = await publicApi.POST("/api/v1/auth/login/mfa", { body: { challenge: challenge.challenge, ...body } });
      if (result.data) {
        auth.signIn(result.data);
        navigate(next ?? "/", { replace: true });
        return;
      }
      failure = failureOf(result);
    } catch (thrown) {
      failure = failureOf({ thrown });
    }
    setBusy(false);
    setFields(fieldErrors(failure, t));
    setError(failureMessage(failure, t));
    if (failure.kind === "problem" && RESTART.has(failure.problem?.code ?? "")) setEnded(true);
  };

  const submit = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = useRecovery ? code.trim() : code.replace(/\s/g, "");
    if (!value) {
      setFields({ mfaCode: t.fieldRequired });
      document.getElementById("mfaCode")?.focus();
      return;
    }
    void finish(useRecovery ? { recovery_code: value } : { code: value });
  };

  const withPasskey = async () => {
    if (!challenge.passkey_options) return;
    let credential: Record<string, unknown>;
    try {
      credential = await getPasskey(challenge.passkey_options);
    } catch {
      setError(t.passkeyCancelled);
      return;
    }
    await finish({ credential });
  };

  return (
    <section class="card auth-card">
      <PageTitle>{t.mfaStepTitle}</PageTitle>
      {error && <Alert>{error}</Alert>}
      {ended ? (
        <button type="button" class="button button--primary button--wide" onClick={onRestart}>
          {t.mfaStartAgain}
        </button>
      ) : (
        <>
          {(challenge.methods.includes("totp") || challenge.methods.includes("recovery")) && (
            <form noValidate onSubmit={submit} aria-busy={busy}>
              <p class="hint">{useRecovery ? t.mfaRecoveryHint : t.mfaCodeHint}</p>
              <Field
                id="mfaCode"
                label={useRecovery ? t.recoveryCode : t.authenticatorCode}
                autoComplete="one-time-code"
                inputMode={useRecovery ? "text" : "numeric"}
                value={code}
                onValue={setCode}
                error={fields.mfaCode ?? fields.code ?? fields.recovery_code}
              />
              <button type="submit" class="button button--primary button--wide" disabled={busy}>
                {t.mfaVerify}
              </button>
              {challenge.methods.includes("totp") && challenge.methods.includes("recovery") && (
                <button
                  type="button"
                  class="button button--quiet"
                  onClick={() => {
                    setUseRecovery(!useRecovery);
                    setCode("");
                    setFields({});
                  }}
                >
                  {useRecovery ? t.mfaUseApp : t.mfaUseRecovery}
                </button>
              )}
            </form>
          )}
          {challenge.methods.includes("passkey") && challenge.passkey_options && passkeysSupported() && (
            <button type="button" class="button button--wide" disabled={busy} onClick={() => void withPasskey()}>
              {t.mfaUsePasskey}
            </button>
          )}
          <button type="button" class="button button--quiet" onClick={onRestart}>
            {t.mfaCancel}
          </button>
        </>
      )}
    </section>
  );
}
