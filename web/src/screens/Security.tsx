/** `/settings/security`: the authenticator app (TOTP with QR code and key), recovery codes, passkeys, and the
 * step-up that removing a factor or making new codes needs. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { failureMessage, fieldErrors } from "../api/problem";
import { createPasskey, getPasskey, passkeysSupported } from "../auth/webauthn";
import { Field } from "../components/Field";
import { LoadError, Loading, Said } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { formatDateTime, useI18n } from "../i18n";
import { call } from "../ledger";
import { Link } from "../router";
import { api } from "../services";
import { useResource } from "../useResource";

type Status = Schemas["MfaStatus"];
type Passkey = Schemas["Passkey"];

export default function Security() {
  const { t } = useI18n();
  const status = useResource(async (signal) => call(() => api.GET("/api/v1/auth/mfa", { signal })), []);
  const passkeys = useResource(async (signal) => {
    const outcome = await call(() => api.GET("/api/v1/auth/passkeys", { signal }));
    return "data" in outcome ? { data: outcome.data.items } : outcome;
  }, []);
  const reload = () => {
    status.reload();
    passkeys.reload();
  };
  const on = !!status.data && (status.data.totp_enabled || status.data.passkeys > 0);
  return (
    <div class="settings">
      <PageTitle>{t.securityTitle}</PageTitle>
      <p>
        <Link href="/settings">{t.settingsTitle}</Link>
      </p>
      {status.failure && <LoadError failure={status.failure} retry={status.reload} />}
      {!status.data ? (
        status.loading && <Loading />
      ) : (
        <>
          {on && <StepUp status={status.data} onDone={reload} />}
          <Totp status={status.data} onChange={reload} />
          {on && <RecoveryCodes status={status.data} />}
          <Passkeys items={passkeys.data ?? []} onChange={reload} />
        </>
      )}
    </div>
  );
}

function CodeList({ codes }: { codes: string[] }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const text = codes.join("\n") + "\n";
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
  return (
    <div class="recovery-codes">
      <p class="hint">{t.recoveryShownOnce}</p>
      <ul aria-label={t.recoveryList} class="recovery-codes__list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div class="actions">
        <button type="button" class="button button--small" onClick={() => void copy()}>
          {t.copyCodes}
        </button>
        <a class="button button--small" href={href} download="ledger-recovery-codes.txt">
          {t.downloadCodes}
        </a>
      </div>
      {copied && <p role="status">{t.codesCopied}</p>}
    </div>
  );
}

function StepUp({ status, onDone }: { status: Status; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [code, setCode] = useState("");
  const [said, setSaid] = useState<Said>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const fresh = status.step_up_expires_at !== null && new Date(status.step_up_expires_at).getTime() > Date.now();
  const done = (result: Awaited<ReturnType<typeof call>>) => {
    if ("data" in result) {
      setCode("");
      setFields({});
      setSaid({ notice: t.stepUpDone });
      onDone();
      return;
    }
    setFields(fieldErrors(result.failure, t));
    const message = failureMessage(result.failure, t);
    if (message) setSaid({ error: message });
  };
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = code.trim();
    const body = /^[0-9 ]+$/.test(value) ? { code: value.replace(/ /g, "") } : { recovery_code: value };
    done(await call(() => api.POST("/api/v1/auth/step-up", { body })));
  };
  const withPasskey = async () => {
    const options = await call(() => api.POST("/api/v1/auth/step-up/options"));
    if (!("data" in options)) return done(options);
    let credential: Record<string, unknown>;
    try {
      credential = await getPasskey(options.data.options);
    } catch {
      setSaid({ error: t.passkeyCancelled });
      return;
    }
    done(await call(() => api.POST("/api/v1/auth/step-up", { body: { challenge: options.data.challenge, credential } })));
  };
  return (
    <section class="card" aria-labelledby="stepup-title">
      <h2 id="stepup-title">{t.stepUpHeading}</h2>
      {fresh && status.step_up_expires_at ? <p>{t.stepUpDone + " " + formatDateTime(status.step_up_expires_at, lang)}</p> : <p class="hint">{t.stepUpText}</p>}
      <Said said={said} />
      {fresh ? null : status.totp_enabled || status.recovery_codes_left > 0 ? (
        <form noValidate onSubmit={submit}>
          <Field
            id="stepUpCode"
            label={status.totp_enabled ? t.authenticatorCode : t.recoveryCode}
            autoComplete="one-time-code"
            value={code}
            onValue={setCode}
            error={fields.code ?? fields.recovery_code}
          />
          <button type="submit" class="button button--primary">
            {t.stepUpConfirm}
          </button>
        </form>
      ) : null}
      {!fresh && status.passkeys > 0 && passkeysSupported() && (
        <button type="button" class="button" onClick={() => void withPasskey()}>
          {t.mfaUsePasskey}
        </button>
      )}
    </section>
  );
}

function Totp({ status, onChange }: { status: Status; onChange: () => void }) {
  const { t } = useI18n();
  const [enrolment, setEnrolment] = useState<Schemas["TotpEnrolment"] | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState("");
  const [said, setSaid] = useState<Said>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const fail = (failure: Parameters<typeof failureMessage>[0]) => {
    setFields(fieldErrors(failure, t));
    const message = failureMessage(failure, t);
    if (message) setSaid({ error: message });
  };
  const begin = async () => {
    setSaid(null);
    const result = await call(() => api.POST("/api/v1/auth/mfa/totp"));
    if ("data" in result) setEnrolment(result.data);
    else fail(result.failure);
  };
  const confirm = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    const result = await call(() => api.POST("/api/v1/auth/mfa/totp/confirm", { body: { code: code.replace(/\s/g, "") } }));
    if ("data" in result) {
      setEnrolment(null);
      setCode("");
      setFields({});
      setCodes(result.data.recovery_codes);
      onChange();
    } else fail(result.failure);
  };
  const turnOff = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    const result = await call(() => api.DELETE("/api/v1/auth/mfa/totp", { body: { code: code.replace(/\s/g, "") } }));
    if ("data" in result) {
      setCode("");
      setFields({});
      setCodes(null);
      setSaid({ notice: t.totpTurnedOff });
      onChange();
    } else fail(result.failure);
  };
  return (
    <section class="card" aria-labelledby="totp-title">
      <h2 id="totp-title">{t.totpHeading}</h2>
      <p>{status.totp_enabled ? t.totpOn : t.totpOff}</p>
      <Said said={said} />
      {codes && <CodeList codes={codes} />}
      {status.totp_enabled ? (
        <form noValidate onSubmit={turnOff}>
          <Field id="totpOffCode" label={t.authenticatorCode} autoComplete="one-time-code" inputMode="numeric" value={code} onValue={setCode} error={fields.code} />
          <button type="submit" class="button button--danger">
            {t.totpTurnOff}
          </button>
        </form>
      ) : enrolment ? (
        <form noValidate onSubmit={confirm}>
          <p class="hint">{t.totpScan}</p>
          <img class="qr" alt={t.qrAlt} width={200} height={200} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`} />
          <p>
            {t.manualKey}: <code class="manual-key">{enrolment.secret}</code>
          </p>
          <Field id="totpCode" label={t.authenticatorCode} autoComplete="one-time-code" inputMode="numeric" value={code} onValue={setCode} error={fields.code} />
          <button type="submit" class="button button--primary">
            {t.totpTurnOn}
          </button>
        </form>
      ) : (
        <button type="button" class="button button--primary" onClick={() => void begin()}>
          {t.totpSetUp}
        </button>
      )}
    </section>
  );
}

function RecoveryCodes({ status }: { status: Status }) {
  const { t } = useI18n();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const regenerate = async () => {
    setSaid(null);
    const result = await call(() => api.POST("/api/v1/auth/mfa/recovery-codes"));
    if ("data" in result) setCodes(result.data.recovery_codes);
    else {
      const message = failureMessage(result.failure, t);
      if (message) setSaid({ error: message });
    }
  };
  return (
    <section class="card" aria-labelledby="recovery-title">
      <h2 id="recovery-title">{t.recoveryHeading}</h2>
      {!codes && <p>{t.recoveryLeft(status.recovery_codes_left)}</p>}
      <Said said={said} />
      {codes && <CodeList codes={codes} />}
      <button type="button" class="button" onClick={() => void regenerate()}>
        {t.recoveryRegenerate}
      </button>
    </section>
  );
}

function Passkeys({ items, onChange }: { items: Passkey[]; onChange: () => void }) {
  const { t, lang } = useI18n();
  const [name, setName] = useState(t.passkeyDefaultName);
  const [said, setSaid] = useState<Said>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const supported = passkeysSupported();
  const add = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    const options = await call(() => api.POST("/api/v1/auth/passkeys/options"));
    if (!("data" in options)) {
      const message = failureMessage(options.failure, t);
      if (message) setSaid({ error: message });
      return;
    }
    let credential: Record<string, unknown>;
    try {
      credential = await createPasskey(options.data.options);
    } catch {
      setSaid({ error: t.passkeyCancelled });
      return;
    }
    const result = await call(() => api.POST("/api/v1/auth/passkeys", { body: { challenge: options.data.challenge, name: name.trim(), credential } }));
    if ("data" in result) {
      setFields({});
      setSaid({ notice: t.passkeyAdded });
      onChange();
      return;
    }
    setFields(fieldErrors(result.failure, t));
    const message = failureMessage(result.failure, t);
    if (message) setSaid({ error: message });
  };
  const remove = async (passkey: Passkey) => {
    setSaid(null);
    const result = await call(() => api.DELETE("/api/v1/auth/passkeys/{passkey_id}", { params: { path: { passkey_id: passkey.id } } }));
    if ("data" in result) {
      setSaid({ notice: t.passkeyRemoved });
      onChange();
      return;
    }
    const message = failureMessage(result.failure, t);
    if (message) setSaid({ error: message });
  };
  return (
    <section class="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t.passkeysHeading}</h2>
      <p class="hint">{t.passkeysIntro}</p>
      <Said said={said} />
      {items.length === 0 ? (
        <p>{t.passkeysNone}</p>
      ) : (
        <ul class="devices">
          {items.map((passkey) => (
            <li key={passkey.id} class="device">
              <div class="device__text">
                <span class="device__name">{passkey.name}</span>
                <span class="device__meta">{passkey.last_used_at ? t.passkeyLastUsed(formatDateTime(passkey.last_used_at, lang)) : t.passkeyNeverUsed}</span>
              </div>
              <button type="button" class="button button--small" aria-label={t.passkeyRemove(passkey.name)} onClick={() => void remove(passkey)}>
                {t.passkeyRemoveShort}
              </button>
            </li>
          ))}
        </ul>
      )}
      {supported ? (
        <form noValidate onSubmit={add}>
          <Field id="passkeyName" label={t.passkeyName} value={name} onValue={setName} error={fields.name} maxLength={100} />
          <button type="submit" class="button button--primary">
            {t.passkeyAdd}
          </button>
        </form>
      ) : (
        <p>{t.passkeysUnsupported}</p>
      )}
    </section>
  );
}
