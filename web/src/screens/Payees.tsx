/** `/payees`: every payee of the ledger (search with 초성 too), add, rename, archive/restore, merge into another. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { failureMessage, fieldErrors } from "../api/problem";
import { Dialog } from "../components/Dialog";
import { Field, SelectField } from "../components/Field";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import { call } from "../ledger";
import { useCanWrite } from "../ledgers";
import { api } from "../services";
import { useResource } from "../useResource";

type Payee = Schemas["Payee"];
type Editing = { mode: "create" } | { mode: "rename"; payee: Payee } | { mode: "merge"; payee: Payee };

export default function Payees() {
  const { t } = useI18n();
  const [query, setQuery] = useState("");
  const payees = useResource<Payee[]>(
    async (signal) => {
      const q = query.trim();
      const outcome = await call(() => api.GET("/api/v1/payees", { params: { query: q ? { query: q, limit: 100 } : {} }, signal }));
      return "data" in outcome ? { data: outcome.data.items } : outcome;
    },
    [query],
  );
  const [said, setSaid] = useState<{ error: string } | { notice: string } | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const writable = useCanWrite();

  const archive = async (payee: Payee, value: boolean) => {
    setSaid(null);
    const outcome = await call(() => api.PATCH("/api/v1/payees/{payee_id}", { params: { path: { payee_id: payee.id } }, body: { archived: value } }));
    if ("failure" in outcome) return setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
    payees.reload();
    setSaid({ notice: value ? t.payeeArchived(payee.name) : t.payeeRestored(payee.name) });
  };
  const done = (notice: string) => {
    setEditing(null);
    setSaid({ notice });
    payees.reload();
  };

  return (
    <div class="payees-page">
      <PageTitle>{t.payees}</PageTitle>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      <section class="card" aria-labelledby="payees-title">
        <div class="section-head">
          <h2 id="payees-title">{t.payees}</h2>
          {writable && (
            <button type="button" class="button button--small" onClick={() => setEditing({ mode: "create" })}>
              <span aria-hidden="true">+ </span>
              {t.addPayee}
            </button>
          )}
        </div>
        <Field id="payee-search" label={t.searchPayees} type="search" value={query} onValue={setQuery} autoComplete="off" maxLength={100} />
        {payees.failure && <LoadError failure={payees.failure} retry={payees.reload} />}
        {!payees.data && !payees.failure && <Loading />}
        {payees.data && payees.data.length === 0 && <p class="empty">{t.noPayees}</p>}
        <ul class="payee-list">
          {(payees.data ?? []).map((payee) => (
            <li key={payee.id} class={payee.archived ? "category category--archived" : "category"}>
              <span class="category__name">
                {payee.name}
                {payee.archived && <span class="badge">{t.archived}</span>}
                <span class="hint">{t.usesLast90(payee.uses_90d)}</span>
              </span>
              {writable && (
                <span class="row-actions">
                  <button type="button" class="button button--small button--quiet" aria-label={t.renameNamed(payee.name)} onClick={() => setEditing({ mode: "rename", payee })}>
                    {t.edit}
                  </button>
                  <button type="button" class="button button--small button--quiet" aria-label={t.mergeNamed(payee.name)} onClick={() => setEditing({ mode: "merge", payee })}>
                    {t.merge}
                  </button>
                  <button
                    type="button"
                    class="button button--small button--quiet"
                    aria-label={payee.archived ? t.restoreNamed(payee.name) : t.archiveNamed(payee.name)}
                    onClick={() => archive(payee, !payee.archived)}
                  >
                    {payee.archived ? t.restore : t.archive}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
      {editing?.mode === "merge" && <MergeDialog payee={editing.payee} onClose={() => setEditing(null)} onDone={done} />}
      {editing && editing.mode !== "merge" && <NameDialog payee={editing.mode === "rename" ? editing.payee : null} onClose={() => setEditing(null)} onDone={done} />}
    </div>
  );
}

function NameDialog({ payee, onClose, onDone }: { payee: Payee | null; onClose: () => void; onDone: (notice: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(payee?.name ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setErrors({ name: t.fieldRequired });
    setBusy(true);
    const outcome = payee
      ? await call(() => api.PATCH("/api/v1/payees/{payee_id}", { params: { path: { payee_id: payee.id } }, body: { name: trimmed } }))
      : await call(() => api.POST("/api/v1/payees", { body: { name: trimmed } }));
    setBusy(false);
    if ("failure" in outcome) {
      const byField = fieldErrors(outcome.failure, t);
      if (outcome.failure.kind === "problem" && outcome.failure.problem?.code === "conflict") byField.name = t.nameTaken;
      setErrors(byField);
      setMessage(failureMessage(outcome.failure, t, { conflict: t.formHasErrors }));
      return;
    }
    onDone(payee ? t.payeeSaved(trimmed) : t.payeeCreated(trimmed));
  };
  return (
    <Dialog title={payee ? t.renameNamed(payee.name) : t.addPayee} onClose={onClose}>
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit}>
        <Field id="payee-name" label={t.name} value={name} onValue={setName} maxLength={100} error={errors.name} autoComplete="off" />
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {t.save}
        </button>
      </form>
    </Dialog>
  );
}

function MergeDialog({ payee, onClose, onDone }: { payee: Payee; onClose: () => void; onDone: (notice: string) => void }) {
  const { t } = useI18n();
  const all = useResource<Payee[]>(async (signal) => {
    const outcome = await call(() => api.GET("/api/v1/payees", { signal }));
    return "data" in outcome ? { data: outcome.data.items } : outcome;
  }, []);
  const [target, setTarget] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const options = (all.data ?? []).filter((p) => p.id !== payee.id && !p.archived);
  const confirm = async () => {
    if (!target) return setError(t.chooseOne);
    setBusy(true);
    const outcome = await call(() => api.POST("/api/v1/payees/{payee_id}/merge", { params: { path: { payee_id: payee.id } }, body: { into: Number(target) } }));
    setBusy(false);
    if ("failure" in outcome) return setMessage(failureMessage(outcome.failure, t) ?? t.serverError);
    onDone(t.payeesMerged(payee.name, outcome.data.payee.name, outcome.data.moved_entries));
  };
  return (
    <Dialog title={t.mergeNamed(payee.name)} onClose={onClose}>
      {message && <Alert>{message}</Alert>}
      <p>{t.mergeBody}</p>
      <SelectField id="merge-into" label={t.mergeInto} value={target} onValue={setTarget} error={error}>
        <option value="">{t.choose}</option>
        {options.map((p) => (
          <option key={p.id} value={String(p.id)}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <div class="form-actions">
        <button type="button" class="button" onClick={onClose}>
          {t.cancel}
        </button>
        <button type="button" class="button button--primary" onClick={confirm} disabled={busy}>
          {t.merge}
        </button>
      </div>
    </Dialog>
  );
}
