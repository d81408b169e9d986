/** `/schedules`: recurring entries. The list shows each schedule's next date and amount; reminders that are due
 * can be posted (with another amount) or skipped; the form previews the rule's next 6 dates, computed by the
 * server (POST /schedules/preview), so the screen and the posting never disagree. */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { type Failure, failureMessage, fieldMessage } from "../api/problem";
import { Dialog } from "../components/Dialog";
import { amountError } from "../components/EntryForm";
import { AccountOptions, Field, SelectField } from "../components/Field";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { WithMoney } from "../components/WithMoney";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { call, categoryTree, type Money, useAccounts, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { formatMoney, minorToInput, parseAmount } from "../money";
import { today } from "../months";
import { formatDay, type Occurrence, statusName } from "../schedules";
import { api } from "../services";
import { useResource } from "../useResource";

type Schedule = Schemas["Schedule"];
type Rule = Schemas["ScheduleRule"];
type Said = { error: string } | { notice: string } | null;

export default function Schedules() {
  return <WithMoney>{(money) => <SchedulesView money={money} />}</WithMoney>;
}

/** The next occurrence, when the schedule has one (the API sends null once the rule has ended). */
function nextOf(schedule: Schedule): Occurrence | null {
  const next = schedule.next_occurrence;
  return next && "date" in next ? (next as Occurrence) : null;
}

function ruleSummary(rule: Schemas["ScheduleRuleOut"], t: Messages): string {
  const s = t.sched;
  const freq = { daily: s.freqDaily, weekly: s.freqWeekly, monthly: s.freqMonthly, yearly: s.freqYearly }[rule.freq];
  const parts = [rule.interval > 1 ? `${freq} ×${rule.interval}` : freq];
  if (rule.freq === "weekly" && rule.weekdays.length) parts.push(rule.weekdays.map((d) => s.weekdayNames[d]).join(", "));
  if (rule.last_day) parts.push(s.byLast);
  else if (rule.week_of_month !== null && rule.weekday !== null) parts.push(`${s.nthNames[String(rule.week_of_month)]} ${s.weekdayNames[rule.weekday]}`);
  else if (rule.month_day !== null) parts.push(`${s.monthDay} ${rule.month_day}`);
  return parts.join(" · ");
}

function SchedulesView({ money }: { money: Money }) {
  const { t, lang } = useI18n();
  const writable = useCanWrite();
  const list = useResource<Schemas["ScheduleList"]>((signal) => call(() => api.GET("/api/v1/schedules", { signal })), []);
  const [said, setSaid] = useState<Said>(null);
  const [form, setForm] = useState<{ schedule: Schedule | null } | null>(null);
  const [posting, setPosting] = useState<{ schedule: Schedule; occurrence: Occurrence } | null>(null);
  const fmt = (minor: number) => formatMoney(minor, money.currency, lang, money.exponent);
  const fail = (failure: Failure) => setSaid({ error: failureMessage(failure, t) ?? t.serverError });

  const remove = async (schedule: Schedule) => {
    setSaid(null);
    const outcome = await call(() => api.DELETE("/api/v1/schedules/{schedule_id}", { params: { path: { schedule_id: schedule.id } } }));
    if ("failure" in outcome) return fail(outcome.failure);
    list.reload();
    setSaid({ notice: t.sched.deleted(schedule.name) });
  };
  const skip = async (schedule: Schedule, occurrence: Occurrence) => {
    setSaid(null);
    const path = { schedule_id: schedule.id, nominal_date: occurrence.nominal_date };
    const outcome = await call(() => api.POST("/api/v1/schedules/{schedule_id}/occurrences/{nominal_date}/skip", { params: { path } }));
    if ("failure" in outcome) return fail(outcome.failure);
    list.reload();
    setSaid({ notice: t.sched.skipped(schedule.name) });
  };

  const row = (schedule: Schedule) => {
    const next = nextOf(schedule);
    const actionable = next && writable && (next.status === "due" || next.status === "overdue");
    return (
      <li key={schedule.id} class="account schedule">
        <div class="account__text">
          <span class="account__name">{schedule.name}</span>
          <span class="account__type">
            {ruleSummary(schedule.rule, t)}
            <span class="badge">{schedule.mode === "auto" ? t.sched.auto : t.sched.remind}</span>
          </span>
          <span class="schedule__next">
            {next ? (
              <>
                {`${t.sched.next}: ${formatDay(next.date, lang)} `}
                <span class={`badge badge--${next.status}`}>{statusName(next.status, t)}</span>
              </>
            ) : (
              t.sched.ended
            )}
          </span>
        </div>
        <span class={schedule.template.type === "income" ? "account__balance income" : "account__balance"} data-value={schedule.template.amount}>
          {fmt(schedule.template.amount)}
        </span>
        {writable && (
          <span class="row-actions">
            {actionable && (
              <>
                <button
                  type="button"
                  class="button button--small button--primary"
                  aria-label={t.sched.post(schedule.name)}
                  onClick={() => setPosting({ schedule, occurrence: next })}
                >
                  {t.addEntry}
                </button>
                <button type="button" class="button button--small button--quiet" aria-label={t.sched.skip(schedule.name)} onClick={() => skip(schedule, next)}>
                  {t.sched.skipShort}
                </button>
              </>
            )}
            <button type="button" class="button button--small button--quiet" aria-label={t.sched.editOf(schedule.name)} onClick={() => setForm({ schedule })}>
              {t.edit}
            </button>
            <button type="button" class="button button--small button--quiet button--danger-text" aria-label={t.sched.deleteOf(schedule.name)} onClick={() => remove(schedule)}>
              {t.delete}
            </button>
          </span>
        )}
      </li>
    );
  };

  return (
    <div class="schedules-page">
      <div class="page-head">
        <PageTitle>{t.schedules}</PageTitle>
        {writable && (
          <button
            type="button"
            class="button button--primary"
            onClick={() => {
              setSaid(null);
              setForm({ schedule: null });
            }}
          >
            <span aria-hidden="true">+ </span>
            {t.sched.add}
          </button>
        )}
      </div>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      {list.failure && <LoadError failure={list.failure} retry={list.reload} />}
      <section class="card" aria-labelledby="schedules-title">
        <h2 id="schedules-title" class="visually-hidden">
          {t.schedules}
        </h2>
        <p class="hint">{writable ? t.sched.help : t.viewOnly}</p>
        {!list.data ? list.loading && <Loading /> : list.data.items.length === 0 ? <p class="hint">{t.sched.none}</p> : <ul class="account-list">{list.data.items.map(row)}</ul>}
      </section>
      {form && (
        <ScheduleForm
          money={money}
          schedule={form.schedule}
          onClose={() => setForm(null)}
          onSaved={(saved, created) => {
            setForm(null);
            list.reload();
            setSaid({ notice: created ? t.sched.added(saved.name) : t.sched.saved(saved.name) });
          }}
        />
      )}
      {posting && (
        <PostDialog
          money={money}
          schedule={posting.schedule}
          occurrence={posting.occurrence}
          onClose={() => setPosting(null)}
          onPosted={() => {
            setPosting(null);
            list.reload();
            setSaid({ notice: t.sched.posted(posting.schedule.name) });
          }}
        />
      )}
    </div>
  );
}

/** Post a due reminder, with the template's amount or another one for this time only. */
function PostDialog({ money, schedule, occurrence, onClose, onPosted }: { money: Money; schedule: Schedule; occurrence: Occurrence; onClose: () => void; onPosted: () => void }) {
  const { t, lang } = useI18n();
  const [amount, setAmount] = useState(minorToInput(schedule.template.amount, money.exponent));
  const [error, setError] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseAmount(amount, money.exponent, money.currency);
    if (!parsed.ok) return setError(amountError(parsed.error, t, money.exponent));
    setBusy(true);
    const path = { schedule_id: schedule.id, nominal_date: occurrence.nominal_date };
    const outcome = await call(() => api.POST("/api/v1/schedules/{schedule_id}/occurrences/{nominal_date}/post", { params: { path }, body: { amount: parsed.minor } }));
    setBusy(false);
    if ("failure" in outcome) return setMessage(failureMessage(outcome.failure, t) ?? t.serverError);
    onPosted();
  };
  return (
    <Dialog title={t.sched.postTitle(schedule.name)} onClose={onClose} initialFocus="post-amount">
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit} class="entry-form">
        <p>{`${t.date}: ${formatDay(occurrence.date, lang)}`}</p>
        <Field
          id="post-amount"
          label={t.amount}
          value={amount}
          onValue={(v) => {
            setAmount(v);
            setError(undefined);
          }}
          inputMode={money.exponent ? "decimal" : "numeric"}
          autoComplete="off"
          hint={t.sched.postAmountHint}
          error={error}
          class="input--amount"
        />
        <div class="form-actions">
          <button type="submit" class="button button--primary button--wide" disabled={busy}>
            {busy ? t.saving : t.addEntry}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface Values {
  name: string;
  mode: "auto" | "remind";
  type: "income" | "expense" | "transfer";
  amount: string;
  account: string;
  toAccount: string;
  category: string;
  memo: string;
  freq: Rule["freq"];
  interval: string;
  start: string;
  weekdays: number[];
  by: "day" | "last" | "nth";
  monthDay: string;
  weekOfMonth: string;
  weekday: string;
  end: "never" | "until" | "count";
  until: string;
  count: string;
  weekend: Rule["weekend"];
}

function valuesOf(schedule: Schedule | null, money: Money): Values {
  const start = today();
  if (!schedule) {
    return {
      name: "",
      mode: "auto",
      type: "expense",
      amount: "",
      account: "",
      toAccount: "",
      category: "",
      memo: "",
      freq: "monthly",
      interval: "1",
      start,
      weekdays: [],
      by: "day",
      monthDay: "",
      weekOfMonth: "1",
      weekday: "0",
      end: "never",
      until: "",
      count: "",
      weekend: "as_is",
    };
  }
  const { rule, template } = schedule;
  return {
    name: schedule.name,
    mode: schedule.mode,
    type: template.type,
    amount: minorToInput(template.amount, money.exponent),
    account: String(template.account_id),
    toAccount: template.to_account_id === null ? "" : String(template.to_account_id),
    category: template.category_id === null ? "" : String(template.category_id),
    memo: template.memo,
    freq: rule.freq,
    interval: String(rule.interval),
    start: rule.start_on,
    weekdays: rule.weekdays,
    by: rule.last_day ? "last" : rule.week_of_month !== null ? "nth" : "day",
    monthDay: rule.month_day === null ? "" : String(rule.month_day),
    weekOfMonth: String(rule.week_of_month ?? 1),
    weekday: String(rule.weekday ?? 0),
    end: rule.until ? "until" : rule.count ? "count" : "never",
    until: rule.until ?? "",
    count: rule.count === null ? "" : String(rule.count),
    weekend: rule.weekend,
  };
}

const int = (text: string): number | null => (/^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null);

/** The rule the form describes (the server checks it: the preview shows its errors' absence, saving names them). */
function ruleOf(v: Values): Rule {
  const monthly = v.freq === "monthly" || v.freq === "yearly";
  return {
    freq: v.freq,
    interval: int(v.interval) ?? 0,
    start_on: v.start,
    weekdays: v.freq === "weekly" ? v.weekdays : [],
    month_day: monthly && v.by === "day" && v.monthDay.trim() ? (int(v.monthDay) ?? 0) : null,
    last_day: monthly && v.by === "last",
    week_of_month: monthly && v.by === "nth" ? (Number(v.weekOfMonth) as 1 | 2 | 3 | 4 | -1) : null,
    weekday: monthly && v.by === "nth" ? Number(v.weekday) : null,
    until: v.end === "until" ? v.until : null,
    count: v.end === "count" ? (int(v.count) ?? 0) : null,
    weekend: v.weekend,
  };
}

// The form's field ids by the API's field names (template and rule), for the errors the server names.
const FIELD_IDS: Record<string, string> = {
  name: "schedule-name",
  amount: "schedule-amount",
  account_id: "schedule-account",
  to_account_id: "schedule-to-account",
  category_id: "schedule-category",
  memo: "schedule-memo",
  interval: "schedule-interval",
  start_on: "schedule-start",
  weekdays: "schedule-weekdays",
  month_day: "schedule-month-day",
  week_of_month: "schedule-week-of-month",
  weekday: "schedule-weekday",
  until: "schedule-until",
  count: "schedule-count",
  weekend: "schedule-weekend",
  freq: "schedule-freq",
  last_day: "schedule-by",
};

/** Every field message of a validation_error, nested (template.*, rule.*) or not, by our field id. */
function serverErrors(failure: Failure, t: Messages): Record<string, string> {
  const out: Record<string, string> = {};
  if (failure.kind !== "problem" || failure.problem?.code !== "validation_error") return out;
  const walk = (errors: Record<string, unknown>) => {
    for (const [field, value] of Object.entries(errors)) {
      if (Array.isArray(value)) {
        const id = FIELD_IDS[field];
        const text = value.filter((m): m is string => typeof m === "string");
        if (id && text.length) out[id] = [...new Set(text.map((m) => fieldMessage(m, t)))].join(" ");
      } else if (value && typeof value === "object") walk(value as Record<string, unknown>);
    }
  };
  walk(failure.problem.errors ?? {});
  return out;
}

function ScheduleForm({
  money,
  schedule,
  onClose,
  onSaved,
}: {
  money: Money;
  schedule: Schedule | null;
  onClose: () => void;
  onSaved: (schedule: Schedule, created: boolean) => void;
}) {
  const { t, lang } = useI18n();
  const s = t.sched;
  const accounts = useAccounts();
  const categories = useCategories();
  const [v, setValues] = useState<Values>(() => valuesOf(schedule, money));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ items: Schemas["OccurrenceDate"][] } | "invalid" | null>(null);
  const accountList = (accounts.data ?? []).filter((a) => !a.archived || String(a.id) === v.account || String(a.id) === v.toAccount);
  const firstOpen = accounts.data?.find((a) => !a.archived)?.id;
  useEffect(() => {
    if (firstOpen !== undefined) setValues((x) => (x.account ? x : { ...x, account: String(firstOpen) }));
  }, [firstOpen]);

  const set =
    <K extends keyof Values>(field: K) =>
    (value: Values[K]) => {
      setValues((x) => ({ ...x, [field]: value, ...(field === "type" ? { category: "" } : {}) }));
      setErrors({});
    };

  // The live preview: the server's engine on the rule as typed, a moment after the typing stops.
  const rule = ruleOf(v);
  const ruleKey = JSON.stringify(rule);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      void call(() => api.POST("/api/v1/schedules/preview", { body: { rule: JSON.parse(ruleKey) as Rule }, signal: controller.signal })).then((outcome) => {
        if (controller.signal.aborted) return;
        setPreview("data" in outcome ? outcome.data : "invalid");
      });
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [ruleKey]);

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const amount = parseAmount(v.amount, money.exponent, money.currency);
    if (!v.name.trim()) found["schedule-name"] = t.fieldRequired;
    if (!amount.ok) found["schedule-amount"] = amountError(amount.error, t, money.exponent);
    if (!v.account) found["schedule-account"] = t.chooseOne;
    if (v.type === "transfer" && !v.toAccount) found["schedule-to-account"] = t.chooseOne;
    if (v.type !== "transfer" && !v.category) found["schedule-category"] = t.chooseOne;
    if (Object.keys(found).length) return fail(found);
    const body = {
      name: v.name.trim(),
      mode: v.mode,
      template: {
        type: v.type,
        amount: amount.ok ? amount.minor : 0,
        account_id: Number(v.account),
        to_account_id: v.type === "transfer" ? Number(v.toAccount) : null,
        category_id: v.type === "transfer" ? null : Number(v.category),
        memo: v.memo.trim(),
        tags: schedule?.template.tags ?? [],
      },
      rule,
    };
    setBusy(true);
    setMessage(null);
    const outcome = schedule
      ? await call(() => api.PATCH("/api/v1/schedules/{schedule_id}", { params: { path: { schedule_id: schedule.id } }, body }))
      : await call(() => api.POST("/api/v1/schedules", { body }));
    setBusy(false);
    if ("data" in outcome) return onSaved(outcome.data, !schedule);
    const named = serverErrors(outcome.failure, t);
    if (Object.keys(named).length) return fail(named);
    setMessage(failureMessage(outcome.failure, t) ?? t.serverError);
  };
  const fail = (found: Record<string, string>) => {
    setErrors(found);
    setMessage(t.formHasErrors);
    const first = Object.values(FIELD_IDS).find((id) => found[id]);
    if (first) document.getElementById(first)?.focus();
  };

  const monthly = v.freq === "monthly" || v.freq === "yearly";
  const kindCategories = v.type === "transfer" ? [] : categoryTree(categories.data ?? [], v.type);
  return (
    <Dialog title={schedule ? s.editTitle : s.add} onClose={onClose} initialFocus="schedule-name" wide>
      {[accounts, categories].map(({ failure, reload }, i) => failure && <LoadError key={i} failure={failure} retry={reload} />)}
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit} class="entry-form schedule-form" aria-busy={busy}>
        <Field id="schedule-name" label={s.name} value={v.name} onValue={set("name")} maxLength={100} autoComplete="off" error={errors["schedule-name"]} />
        <SelectField id="schedule-type" label={t.type} value={v.type} onValue={(x) => set("type")(x as Values["type"])}>
          <option value="expense">{t.typeExpense}</option>
          <option value="income">{t.typeIncome}</option>
          <option value="transfer">{t.typeTransfer}</option>
        </SelectField>
        <Field
          id="schedule-amount"
          label={t.amount}
          value={v.amount}
          onValue={set("amount")}
          inputMode={money.exponent ? "decimal" : "numeric"}
          autoComplete="off"
          error={errors["schedule-amount"]}
          class="input--amount"
        />
        <SelectField id="schedule-account" label={t.account} value={v.account} onValue={set("account")} error={errors["schedule-account"]}>
          <option value="">{t.choose}</option>
          <AccountOptions accounts={accountList} />
        </SelectField>
        {v.type === "transfer" ? (
          <SelectField id="schedule-to-account" label={t.toAccount} value={v.toAccount} onValue={set("toAccount")} error={errors["schedule-to-account"]}>
            <option value="">{t.choose}</option>
            <AccountOptions accounts={accountList} />
          </SelectField>
        ) : (
          <SelectField id="schedule-category" label={t.category} value={v.category} onValue={set("category")} error={errors["schedule-category"]}>
            <option value="">{t.choose}</option>
            {kindCategories.flatMap(({ parent, children }) => [
              <option key={parent.id} value={String(parent.id)}>
                {parent.name}
              </option>,
              ...children.map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {`${parent.name} › ${c.name}`}
                </option>
              )),
            ])}
          </SelectField>
        )}
        <Field id="schedule-memo" label={t.memo} value={v.memo} onValue={set("memo")} maxLength={500} autoComplete="off" error={errors["schedule-memo"]} />
        <SelectField id="schedule-mode" label={s.mode} value={v.mode} onValue={(x) => set("mode")(x as Values["mode"])}>
          <option value="auto">{s.modeAuto}</option>
          <option value="remind">{s.modeRemind}</option>
        </SelectField>
        <SelectField id="schedule-freq" label={s.repeat} value={v.freq} onValue={(x) => set("freq")(x as Values["freq"])} error={errors["schedule-freq"]}>
          <option value="daily">{s.freqDaily}</option>
          <option value="weekly">{s.freqWeekly}</option>
          <option value="monthly">{s.freqMonthly}</option>
          <option value="yearly">{s.freqYearly}</option>
        </SelectField>
        <Field
          id="schedule-interval"
          label={s.interval}
          type="number"
          min={1}
          max={999}
          inputMode="numeric"
          value={v.interval}
          onValue={set("interval")}
          hint={s.intervalHint}
          error={errors["schedule-interval"]}
        />
        <Field id="schedule-start" label={s.start} type="date" value={v.start} onValue={set("start")} error={errors["schedule-start"]} />
        {v.freq === "weekly" && (
          <fieldset class="field weekday-picker" id="schedule-weekdays" tabIndex={-1}>
            <legend>{s.weekdays}</legend>
            {s.weekdayNames.map((name, day) => (
              <label key={day} class="check">
                <input
                  type="checkbox"
                  checked={v.weekdays.includes(day)}
                  onChange={(e) => set("weekdays")(e.currentTarget.checked ? [...v.weekdays, day].sort() : v.weekdays.filter((d) => d !== day))}
                />
                {name}
              </label>
            ))}
            {errors["schedule-weekdays"] && <p class="field-error">{errors["schedule-weekdays"]}</p>}
          </fieldset>
        )}
        {monthly && (
          <SelectField id="schedule-by" label={s.onWhich} value={v.by} onValue={(x) => set("by")(x as Values["by"])} error={errors["schedule-by"]}>
            <option value="day">{s.byDay}</option>
            <option value="last">{s.byLast}</option>
            <option value="nth">{s.byNth}</option>
          </SelectField>
        )}
        {monthly && v.by === "day" && (
          <Field
            id="schedule-month-day"
            label={s.monthDay}
            type="number"
            min={1}
            max={31}
            inputMode="numeric"
            value={v.monthDay}
            placeholder={v.start.slice(8, 10)}
            onValue={set("monthDay")}
            hint={s.monthDayHint}
            error={errors["schedule-month-day"]}
          />
        )}
        {monthly && v.by === "nth" && (
          <div class="field-row">
            <SelectField id="schedule-week-of-month" label={s.weekOfMonth} value={v.weekOfMonth} onValue={set("weekOfMonth")} error={errors["schedule-week-of-month"]}>
              {["1", "2", "3", "4", "-1"].map((n) => (
                <option key={n} value={n}>
                  {s.nthNames[n]}
                </option>
              ))}
            </SelectField>
            <SelectField id="schedule-weekday" label={s.weekday} value={v.weekday} onValue={set("weekday")} error={errors["schedule-weekday"]}>
              {s.weekdayNames.map((name, day) => (
                <option key={day} value={String(day)}>
                  {name}
                </option>
              ))}
            </SelectField>
          </div>
        )}
        <SelectField id="schedule-end" label={s.ends} value={v.end} onValue={(x) => set("end")(x as Values["end"])}>
          <option value="never">{s.endNever}</option>
          <option value="until">{s.endUntil}</option>
          <option value="count">{s.endCount}</option>
        </SelectField>
        {v.end === "until" && <Field id="schedule-until" label={s.until} type="date" value={v.until} onValue={set("until")} error={errors["schedule-until"]} />}
        {v.end === "count" && (
          <Field id="schedule-count" label={s.count} type="number" min={1} inputMode="numeric" value={v.count} onValue={set("count")} error={errors["schedule-count"]} />
        )}
        <SelectField id="schedule-weekend" label={s.weekend} value={v.weekend} onValue={(x) => set("weekend")(x as Values["weekend"])} error={errors["schedule-weekend"]}>
          <option value="as_is">{s.weekendAsIs}</option>
          <option value="skip">{s.weekendSkip}</option>
          <option value="before">{s.weekendBefore}</option>
          <option value="after">{s.weekendAfter}</option>
        </SelectField>
        <section class="schedule-preview" aria-labelledby="schedule-preview-title" aria-live="polite">
          <h3 id="schedule-preview-title">{s.preview}</h3>
          {preview === "invalid" ? (
            <p class="hint">{s.previewInvalid}</p>
          ) : preview === null ? (
            <p class="hint">{t.loading}</p>
          ) : preview.items.length === 0 ? (
            <p class="hint">{s.previewNone}</p>
          ) : (
            <ol class="preview-list">
              {preview.items.map((o) => (
                <li key={o.nominal_date}>{formatDay(o.date, lang)}</li>
              ))}
            </ol>
          )}
        </section>
        <div class="form-actions">
          <button type="submit" class="button button--primary button--wide" disabled={busy || !accounts.data || !categories.data}>
            {busy ? t.saving : t.save}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
