/** "New ledger": a ledger of the person's own (they are its owner), on the household page and for a person who
 * is in no ledger at all. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { failureMessage, fieldErrors } from "../api/problem";
import { useI18n } from "../i18n";
import { call } from "../ledger";
import type { Ledger } from "../ledgers";
import { api } from "../services";
import { Field } from "./Field";
import { Said } from "./Message";

export function NewLedger({ onCreated }: { onCreated: (ledger: Ledger) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    if (!name.trim()) return setFields({ name: t.fieldRequired });
    setBusy(true);
    const outcome = await call(() => api.POST("/api/v1/ledgers", { body: { name: name.trim(), month_start_day: 1 } }));
    setBusy(false);
    if ("data" in outcome) return onCreated(outcome.data);
    setFields(fieldErrors(outcome.failure, t));
    const message = failureMessage(outcome.failure, t);
    setSaid(message ? { error: message } : null);
  };
  return (
    <section class="card" aria-labelledby="new-ledger-title">
      <h2 id="new-ledger-title">{t.newLedger}</h2>
      <p class="hint">{t.newLedgerHelp}</p>
      <Said said={said} />
      <form noValidate onSubmit={submit}>
        <Field id="new_ledger_name" label={t.newLedgerName} maxLength={100} value={name} onValue={setName} error={fields.name} />
        <button type="submit" class="button" disabled={busy}>
          {t.createLedger}
        </button>
      </form>
    </section>
  );
}
