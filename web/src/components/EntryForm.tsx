/** The entry form (a dialog; docs/UI.md): Type, Amount, Date, Account, To account, Category, Memo, Tags, Save.
 * A new entry carries an Idempotency-Key made once per submission (a double click or a retry records one
 * entry); an edit sends If-Match, and a 412 offers to reload the entry or to keep this version. */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { type Failure, failureMessage, fieldErrors } from "../api/problem";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { type Account, type Category, call, categoryTree, type Entry, type Money, newKey, useAccounts, useCategories } from "../ledger";
import { useLedger } from "../ledgers";
import { minorToInput, type ParseError, parseAmount } from "../money";
import { today } from "../months";
import { flushOutbox } from "../offline/app";
import { enqueue } from "../offline/outbox";
import { api } from "../services";
import { useResource } from "../useResource";
import { Dialog } from "./Dialog";
import { InstallmentField, installmentMonths, takesInstallments } from "./InstallmentField";
import { AccountOptions, Field, SelectField } from "./Field";
import { Alert, LoadError, Loading } from "./Message";
import { checkLines, type LineErrors, linesOf, type SplitLine, SplitLines, startLines } from "./SplitLines";
import { PayeeInput, PayeeSuggestion, suggestionFor } from "./PayeeInput";

type Kind = "expense" | "income" | "transfer";

interface Values {
  type: Kind;
  amount: string;
  date: string;
  account: string;
  toAccount: string;
  category: string;
  memo: string;
  tags: string;
  payee: string;
}

function getEntry(entryId: number, signal?: AbortSignal) {
  return call(() => api.GET("/api/v1/entries/{entry_id}", { params: { path: { entry_id: entryId } }, signal }));
}

export function amountError(error: ParseError, t: Messages, exponent: number): string {
  switch (error) {
    case "empty":
      return t.fieldRequired;
    case "invalid":
      return t.amountInvalid;
    case "too_precise":
      return exponent === 0 ? t.amountNoDecimals : t.amountTooPrecise(exponent);
    case "too_large":
      return t.amountTooLarge;
    case "zero":
      return t.amountZero;
  }
}

function valuesOf(entry: Entry, exponent: number): Values {
  return {
    type: entry.type,
    amount: minorToInput(entry.amount, exponent),
    date: entry.occurred_on,
    account: String(entry.account_id),
    toAccount: entry.to_account_id != null ? String(entry.to_account_id) : "",
    category: entry.category_id != null ? String(entry.category_id) : "",
    memo: entry.memo,
    tags: entry.tags.join(", "),
    payee: "", // PayeeInput fills in the name of entry.payee_id
  };
}

const FIELD_OF: Record<string, keyof Values> = {
  type: "type",
  amount: "amount",
  occurred_on: "date",
  account_id: "account",
  to_account_id: "toAccount",
  category_id: "category",
  memo: "memo",
  tags: "tags",
  payee: "payee",
  payee_id: "payee",
};
const ID_OF: Record<keyof Values, string> = {
  type: "entry-type",
  amount: "entry-amount",
  date: "entry-date",
  account: "entry-account",
  toAccount: "entry-to-account",
  category: "entry-category",
  memo: "entry-memo",
  tags: "entry-tags",
  payee: "entry-payee",
};

interface Queued {
  op: "create" | "update";
  key?: string;
  entryId: number | null;
  ifMatch: string | null;
  body: Schemas["EntryCreate"];
}

/** The browser knows it has no network: a save goes straight to the outbox. */
const isOffline = () => typeof navigator !== "undefined" && navigator.onLine === false;

interface EntryFormProps {
  money: Money;
  /** an entry to edit (by id), or none for a new one */
  entryId?: number | undefined;
  /** defaults for a new entry */
  initial?: Partial<Values> | undefined;
  onSaved: (entry: Entry, created: boolean) => void;
  /** the server could not be reached: the entry (or the change) waits in the outbox, to be sent later */
  onQueued?: (() => void) | undefined;
  onClose: () => void;
}

export function EntryForm({ money, entryId, initial, onSaved, onQueued, onClose }: EntryFormProps) {
  const { t } = useI18n();
  const ledgerId = useLedger().ledger.id;
  const accounts = useAccounts();
  const categories = useCategories();
  const [values, setValues] = useState<Values>({
    type: "expense",
    amount: "",
    date: today(),
    account: "",
    toAccount: "",
    category: "",
    memo: "",
    tags: "",
    payee: "",
    ...initial,
  });
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [offer, setOffer] = useState<{ suggestion: Schemas["Suggestion"]; entry: Entry; created: boolean } | null>(null);
  const etag = useRef<string | null>(null);
  const key = useRef<string | null>(null); // the Idempotency-Key of the submission being made
  // A save that failed for want of a network while the browser thinks it is online: "Send later" queues it.
  const later = useRef<Queued | null>(null);
  const inFlight = useRef(false);
  const editing = entryId !== undefined;
  const [installments, setInstallments] = useState<{ value: string; error?: string | undefined }>({ value: "" });
  // A split (SplitLines.tsx): its lines, or null when the entry is not split.
  const [lines, setLines] = useState<SplitLine[] | null>(null);
  const [lineErrors, setLineErrors] = useState<{ errors: LineErrors; sum: string | null }>({ errors: [], sum: null });

  // The entry being edited (none for a new one) and its ETag, for If-Match.
  const loaded = useResource<Entry | null>(
    async (signal) => {
      if (entryId === undefined) return { data: null };
      const outcome = await getEntry(entryId, signal);
      if ("data" in outcome) etag.current = outcome.response.headers.get("ETag");
      return outcome;
    },
    [entryId],
  );
  // Its values fill the form when it arrives (again after "Reload theirs").
  useEffect(() => {
    if (loaded.data) setValues(valuesOf(loaded.data, money.exponent));
    if (loaded.data) setInstallments({ value: loaded.data.installment_months ? String(loaded.data.installment_months) : "" });
    if (loaded.data) setLines(loaded.data.lines.length ? linesOf(loaded.data, money.exponent) : null);
  }, [loaded.data, money.exponent]);

  const accountList: Account[] = accounts.data ?? [];
  const categoryList: Category[] = categories.data ?? [];
  // Archived choices are offered only when the entry being edited already uses them.
  const usable = (item: { id: number; archived: boolean }, current: string) => !item.archived || String(item.id) === current;
  const openAccounts = accountList.filter((a) => usable(a, values.account) || usable(a, values.toAccount));

  // A new entry starts on the first open account.
  const firstOpen = accountList.find((a) => !a.archived)?.id;
  useEffect(() => {
    if (!editing && firstOpen !== undefined) setValues((v) => (v.account ? v : { ...v, account: String(firstOpen) }));
  }, [editing, firstOpen]);

  const set = (field: keyof Values) => (value: string) => {
    key.current = null; // a changed form is another submission
    later.current = null;
    setValues((v) => {
      const next = { ...v, [field]: value } as Values;
      if (field === "type") {
        const category = categoryList.find((c) => String(c.id) === v.category);
        if (value === "transfer" || (category && category.kind !== value)) next.category = "";
        if (value === "transfer") setLines(null);
        else setLines((old) => old && old.map((line) => ({ ...line, category: "" })));
      }
      return next;
    });
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const validate = (): Schemas["EntryCreate"] | null => {
    const found: Partial<Record<keyof Values, string>> = {};
    // A new entry goes to the first open account unless another was chosen (even before the default shows).
    const account = values.account || (editing ? "" : String(accountList.find((a) => !a.archived)?.id ?? ""));
    const amount = parseAmount(values.amount, money.exponent, money.currency);
    if (!amount.ok) found.amount = amountError(amount.error, t, money.exponent);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date)) found.date = t.fieldRequired;
    if (!account) found.account = t.chooseOne;
    if (values.type === "transfer") {
      if (!values.toAccount) found.toAccount = t.chooseOne;
      else if (values.toAccount === account) found.toAccount = t.sameAccount;
    } else if (!values.category && !lines) found.category = t.chooseOne;
    const split = lines && values.type !== "transfer" ? checkLines(lines, amount.ok ? amount.minor : null, money, t) : null;
    setLineErrors(split && !split.ok ? { errors: split.errors, sum: split.sum } : { errors: [], sum: null });
    setErrors(found);
    if (split && !split.ok && !Object.values(found).some(Boolean)) {
      setMessage(split.sum ?? t.formHasErrors);
      return null;
    }
    const first = (Object.keys(ID_OF) as (keyof Values)[]).find((f) => found[f]);
    if (first) {
      setMessage(t.formHasErrors);
      document.getElementById(ID_OF[first])?.focus();
      return null;
    }
    const tags = values.tags
      .split(/[,，]/)
      .map((tag) => tag.trim().replace(/^#/, ""))
      .filter(Boolean);
    return {
      type: values.type,
      amount: amount.ok ? amount.minor : 0,
      occurred_on: values.date,
      account_id: Number(account),
      to_account_id: values.type === "transfer" ? Number(values.toAccount) : null,
      category_id: values.type === "transfer" || split ? null : Number(values.category),
      memo: values.memo.trim(),
      tags: [...new Set(tags)],
      installment_months: installmentMonths(takesInstallments(values.type, account, accountList), installments.value),
      lines: split?.ok ? split.lines : [],
      ...(values.payee.trim() ? { payee: values.payee.trim() } : editing ? { payee_id: null } : {}),
    };
  };

  const failed = (failure: Failure) => {
    const byField = fieldErrors(failure, t);
    const mapped: Partial<Record<keyof Values, string>> = {};
    for (const [field, text] of Object.entries(byField)) {
      const ours = FIELD_OF[field];
      if (ours) mapped[ours] = text;
    }
    setErrors(mapped);
    setInstallments((i) => ({ ...i, error: byField.installment_months }));
    setMessage(failureMessage(failure, t, { idempotency_key_reused: t.serverError }));
  };

  // After a save with a payee: "always put X in Y?" when the server offers it, else done.
  const saved = async (entry: Entry, created: boolean) => {
    const suggestion = await suggestionFor(entry);
    if (suggestion) setOffer({ suggestion, entry, created });
    else onSaved(entry, created);
  };

  const save = async (body: Schemas["EntryCreate"]) => {
    inFlight.current = true;
    setBusy(true);
    setMessage(null);
    try {
      if (editing) {
        const headers: Record<string, string> = etag.current ? { "If-Match": etag.current } : {};
        const outcome = await call(() => api.PATCH("/api/v1/entries/{entry_id}", { params: { path: { entry_id: entryId }, header: headers }, body, headers }));
        if ("data" in outcome) {
          etag.current = outcome.response.headers.get("ETag");
          await saved(outcome.data, false);
          return;
        }
        if (outcome.failure.kind === "problem" && outcome.failure.status === 412) {
          setConflict(true);
          return;
        }
        const update = { op: "update", entryId: entryId ?? null, ifMatch: etag.current, body } as const;
        if (outcome.failure.kind === "network" && isOffline()) return queue(update);
        later.current = outcome.failure.kind === "network" ? update : null;
        failed(outcome.failure);
        return;
      }
      key.current ??= newKey();
      const idempotencyKey = key.current;
      const outcome = await call(() => api.POST("/api/v1/entries", { body, headers: { "Idempotency-Key": idempotencyKey } }));
      if ("data" in outcome) {
        key.current = null;
        await saved(outcome.data, true);
        return;
      }
      const create = { op: "create", key: idempotencyKey, entryId: null, ifMatch: null, body } as const;
      if (outcome.failure.kind === "network" && isOffline()) return queue(create);
      later.current = outcome.failure.kind === "network" ? create : null;
      failed(outcome.failure); // the key stays: a retry of this very submission records one entry
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  /** Offline: into the outbox with its Idempotency-Key (a new entry) or If-Match (an edit); sent when the
   * network is back (offline/outbox.ts). */
  const queue = async (item: Queued) => {
    later.current = null;
    try {
      await enqueue({ key: item.key ?? newKey(), ledgerId, op: item.op, entryId: item.entryId, ifMatch: item.ifMatch, body: { ...item.body } });
    } catch {
      failed({ kind: "network" }); // no IndexedDB (private mode): say so, and keep what was typed
      return;
    }
    key.current = null;
    if (onQueued) onQueued();
    else onClose();
    void flushOutbox(); // the network may be back already
  };

  const submit = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (inFlight.current) return; // a second click while the first is on its way
    const body = validate();
    if (body) void save(body);
  };

  const reloadTheirs = () => {
    setConflict(false);
    setErrors({});
    setMessage(null);
    loaded.reload();
  };

  const keepMine = async () => {
    if (entryId === undefined) return;
    const outcome = await getEntry(entryId); // its current ETag: this version then replaces it
    if ("failure" in outcome) return failed(outcome.failure);
    etag.current = outcome.response.headers.get("ETag");
    setConflict(false);
    const body = validate();
    if (body) await save(body);
  };

  const kindCategories = values.type === "transfer" ? [] : categoryTree(categoryList, values.type);
  const parsedTotal = parseAmount(values.amount, money.exponent, money.currency);
  const totalMinor = parsedTotal.ok ? parsedTotal.minor : null;
  const title = editing ? t.editEntry : t.addEntry;

  if (offer) {
    return (
      <Dialog title={title} onClose={() => onSaved(offer.entry, offer.created)}>
        <PayeeSuggestion suggestion={offer.suggestion} onDone={() => onSaved(offer.entry, offer.created)} />
      </Dialog>
    );
  }

  if (editing && !loaded.data) {
    return (
      <Dialog title={title} onClose={onClose}>
        {loaded.failure ? <LoadError failure={loaded.failure} retry={loaded.reload} /> : <Loading />}
      </Dialog>
    );
  }

  return (
    <Dialog title={title} onClose={onClose} initialFocus="entry-amount">
      {[loaded, accounts, categories].map(({ failure, reload }, i) => failure && <LoadError key={i} failure={failure} retry={reload} />)}
      {conflict && (
        <div role="alert" class="message message--error conflict">
          <p>{t.conflictBody}</p>
          <div class="actions">
            <button type="button" class="button button--small" onClick={reloadTheirs}>
              {t.conflictReload}
            </button>
            <button type="button" class="button button--small button--primary" onClick={keepMine}>
              {t.conflictKeepMine}
            </button>
          </div>
        </div>
      )}
      {message && !conflict && <Alert>{message}</Alert>}
      {message && !conflict && later.current && !busy && (
        <p class="form-actions">
          <button type="button" class="button button--small" onClick={() => later.current && void queue(later.current)}>
            {t.sendLater}
          </button>
        </p>
      )}
      <form noValidate onSubmit={submit} class="entry-form" aria-busy={busy}>
        <SelectField id="entry-type" label={t.type} value={values.type} onValue={set("type")} error={errors.type}>
          <option value="expense">{t.typeExpense}</option>
          <option value="income">{t.typeIncome}</option>
          <option value="transfer">{t.typeTransfer}</option>
        </SelectField>
        <Field
          id="entry-amount"
          label={t.amount}
          value={values.amount}
          onValue={set("amount")}
          inputMode={money.exponent ? "decimal" : "numeric"}
          autoComplete="off"
          hint={t.amountHint(money.currency, money.exponent ? `12,000 · ${minorToInput(350, money.exponent)}` : "12,000")}
          error={errors.amount}
          class="input--amount"
        />
        <Field id="entry-date" label={t.date} type="date" value={values.date} onValue={set("date")} error={errors.date} />
        <SelectField id="entry-account" label={t.account} value={values.account} onValue={set("account")} error={errors.account}>
          <option value="">{t.choose}</option>
          <AccountOptions accounts={openAccounts} />
        </SelectField>
        {takesInstallments(values.type, values.account, accountList) && (
          <InstallmentField value={installments.value} onValue={(value) => setInstallments({ value })} error={installments.error} />
        )}
        {values.type === "transfer" ? (
          <SelectField id="entry-to-account" label={t.toAccount} value={values.toAccount} onValue={set("toAccount")} error={errors.toAccount}>
            <option value="">{t.choose}</option>
            <AccountOptions accounts={openAccounts} />
          </SelectField>
        ) : (
          <>
            <PayeeInput id="entry-payee" value={values.payee} onValue={set("payee")} payeeId={loaded.data?.payee_id} error={errors.payee} />
            {lines ? (
              <SplitLines
                lines={lines}
                onLines={(next) => {
                  key.current = null;
                  setLines(next);
                }}
                total={totalMinor}
                kind={values.type}
                categories={categoryList}
                money={money}
                errors={lineErrors.errors}
                sumError={lineErrors.sum}
              />
            ) : (
              <SelectField id="entry-category" label={t.category} value={values.category} onValue={set("category")} error={errors.category}>
                <option value="">{t.choose}</option>
                {kindCategories
                  .flatMap(({ parent, children }) => [
                    usable(parent, values.category) ? (
                      <option key={parent.id} value={String(parent.id)}>
                        {parent.name}
                      </option>
                    ) : null,
                    ...children
                      .filter((c) => usable(c, values.category))
                      .map((c) => (
                        <option key={c.id} value={String(c.id)}>
                          {`${parent.name} › ${c.name}`}
                        </option>
                      )),
                  ])
                  .filter((o): o is JSX.Element => o !== null)}
              </SelectField>
            )}
            <button
              type="button"
              class="button button--small split__toggle"
              aria-pressed={lines !== null}
              onClick={() => {
                key.current = null;
                setLines(lines ? null : startLines(values.category));
              }}
            >
              {t.split}
            </button>
          </>
        )}
        <Field id="entry-memo" label={t.memo} value={values.memo} onValue={set("memo")} maxLength={500} autoComplete="off" error={errors.memo} />
        <Field id="entry-tags" label={t.tags} value={values.tags} onValue={set("tags")} hint={t.tagsHint} autoComplete="off" error={errors.tags} />
        <div class="form-actions">
          <button type="submit" class="button button--primary button--wide" disabled={busy || !accounts.data || !categories.data}>
            {busy ? t.saving : t.save}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default EntryForm;
