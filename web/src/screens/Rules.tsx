/** `/rules`: the ledger's rules in the order they run. Reorder by dragging or with each rule's Move up / Move
 * down buttons (keyboard); add or edit a rule (conditions, actions); preview what it would change in existing
 * entries before applying it (each entry under its own version: entries changed meanwhile are left alone). */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { failureMessage, fieldErrors } from "../api/problem";
import { Dialog } from "../components/Dialog";
import { AccountOptions, Field, SelectField } from "../components/Field";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { type Category, call, categoryLabel, categoryTree, useAccounts, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { api } from "../services";
import { useResource } from "../useResource";

type Rule = Schemas["Rule"];
type Payee = Schemas["Payee"];
type FieldName = "payee" | "imported_payee" | "memo" | "amount" | "account";
type ActionType = "set_category" | "set_payee" | "add_tag" | "set_memo";
type Operator = "is" | "contains" | "starts_with" | "one_of" | "between";
interface ConditionRow {
  field: FieldName;
  operator: Operator;
  value: string;
}
interface ActionRow {
  type: ActionType;
  value: string;
}

const FIELDS: FieldName[] = ["payee", "imported_payee", "memo", "amount", "account"];
const OPERATORS: Record<FieldName, Operator[]> = {
  payee: ["is", "contains", "starts_with", "one_of"],
  imported_payee: ["is", "contains", "starts_with", "one_of"],
  memo: ["is", "contains", "starts_with", "one_of"],
  amount: ["is", "one_of", "between"],
  account: ["is"],
};
const ACTIONS: ActionType[] = ["set_category", "set_payee", "add_tag", "set_memo"];

function usePayees() {
  return useResource<Payee[]>(async (signal) => {
    const outcome = await call(() => api.GET("/api/v1/payees", { params: { query: { include_archived: false } }, signal }));
    return "data" in outcome ? { data: outcome.data.items } : outcome;
  }, []);
}

function ruleName(rule: Rule, index: number, t: Messages) {
  return rule.name || t.ruleLabel(index + 1);
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? value.join(", ") : String(value);
}

export default function Rules() {
  const { t } = useI18n();
  const rules = useResource<Rule[]>(async (signal) => {
    const outcome = await call(() => api.GET("/api/v1/rules", { signal }));
    return "data" in outcome ? { data: outcome.data.items } : outcome;
  }, []);
  const categories = useCategories().data ?? [];
  const [said, setSaid] = useState<{ error: string } | { notice: string } | null>(null);
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [previewing, setPreviewing] = useState<Rule | null>(null);
  const [dragged, setDragged] = useState<number | null>(null);
  const writable = useCanWrite();
  if (!rules.data) return rules.failure ? <LoadError failure={rules.failure} retry={rules.reload} /> : <Loading />;
  const list = rules.data;

  const reorder = async (from: number, to: number) => {
    if (to < 0 || to >= list.length || from === to) return;
    const ids = list.map((r) => r.id);
    const [moved] = ids.splice(from, 1);
    if (moved === undefined) return;
    ids.splice(to, 0, moved);
    rules.mutate(() => ids.map((id) => list.find((r) => r.id === id)).filter((r): r is Rule => r !== undefined));
    const outcome = await call(() => api.PUT("/api/v1/rules/order", { body: { rule_ids: ids } }));
    if ("failure" in outcome) {
      setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
      rules.reload();
      return;
    }
    rules.mutate(() => outcome.data.items);
    setSaid({ notice: t.ruleOrderSaved });
    // keep the keyboard where it was: on the moved rule's button in its new place
    requestAnimationFrame(() => document.getElementById(`rule-${moved}-${to > from ? "down" : "up"}`)?.focus());
  };

  const remove = async (rule: Rule) => {
    const outcome = await call(() => api.DELETE("/api/v1/rules/{rule_id}", { params: { path: { rule_id: rule.id } } }));
    if ("failure" in outcome) return setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
    setSaid({ notice: t.ruleDeleted });
    rules.reload();
  };

  const summary = (rule: Rule) =>
    [
      rule.conditions
        .map((c) => `${t.ruleField[String(c.field)] ?? ""} ${t.ruleOperator[String(c.operator)] ?? ""} ${c.field === "account" ? "#" : ""}${describeValue(c.value)}`)
        .join(rule.match === "all" ? " · " : " | "),
      rule.actions
        .map((a) => `${t.ruleAction[String(a.type)] ?? ""}: ${a.type === "set_category" ? categoryLabel(categories, Number(a.value)) : describeValue(a.value)}`)
        .join(", "),
    ].join(" → ");

  return (
    <div class="rules-page">
      <PageTitle>{t.rules}</PageTitle>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      <section class="card" aria-labelledby="rules-title">
        <div class="section-head">
          <h2 id="rules-title">{t.rules}</h2>
          {writable && (
            <button type="button" class="button button--small" onClick={() => setEditing("new")}>
              <span aria-hidden="true">+ </span>
              {t.addRule}
            </button>
          )}
        </div>
        {list.length === 0 ? <p class="empty">{t.noRules}</p> : writable && <p class="hint">{t.dragHint}</p>}
        <ol class="rule-list">
          {list.map((rule, index) => (
            <li
              key={rule.id}
              class={dragged === index ? "rule rule--dragged" : "rule"}
              draggable={writable}
              onDragStart={(event) => {
                setDragged(index);
                event.dataTransfer?.setData("text/plain", String(rule.id));
              }}
              onDragOver={(event) => event.preventDefault()}
              onDrop={(event) => {
                event.preventDefault();
                if (dragged !== null) void reorder(dragged, index);
                setDragged(null);
              }}
              onDragEnd={() => setDragged(null)}
            >
              <div class="rule__text">
                <strong>{ruleName(rule, index, t)}</strong>
                <span class="hint">{summary(rule)}</span>
              </div>
              {writable && (
                <span class="row-actions">
                  <button
                    type="button"
                    id={`rule-${rule.id}-up`}
                    class="button button--small button--quiet"
                    aria-label={t.moveUpNamed(ruleName(rule, index, t))}
                    disabled={index === 0}
                    onClick={() => reorder(index, index - 1)}
                  >
                    <span aria-hidden="true">↑</span>
                  </button>
                  <button
                    type="button"
                    id={`rule-${rule.id}-down`}
                    class="button button--small button--quiet"
                    aria-label={t.moveDownNamed(ruleName(rule, index, t))}
                    disabled={index === list.length - 1}
                    onClick={() => reorder(index, index + 1)}
                  >
                    <span aria-hidden="true">↓</span>
                  </button>
                  <button type="button" class="button button--small button--quiet" aria-label={t.editNamed(ruleName(rule, index, t))} onClick={() => setEditing(rule)}>
                    {t.edit}
                  </button>
                  <button type="button" class="button button--small button--quiet" aria-label={t.previewNamed(ruleName(rule, index, t))} onClick={() => setPreviewing(rule)}>
                    {t.preview}
                  </button>
                  <button
                    type="button"
                    class="button button--small button--quiet button--danger-text"
                    aria-label={t.deleteNamed(ruleName(rule, index, t))}
                    onClick={() => remove(rule)}
                  >
                    {t.delete}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      </section>
      {editing && (
        <RuleDialog
          rule={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(rule, preview) => {
            setEditing(null);
            setSaid({ notice: t.ruleSaved });
            rules.reload();
            if (preview) setPreviewing(rule);
          }}
        />
      )}
      {previewing && (
        <PreviewDialog
          rule={previewing}
          onClose={() => setPreviewing(null)}
          onApplied={(notice) => {
            setPreviewing(null);
            setSaid({ notice });
          }}
        />
      )}
    </div>
  );
}

function rowsOf(rule: Rule | null): { conditions: ConditionRow[]; actions: ActionRow[] } {
  if (!rule) return { conditions: [{ field: "payee", operator: "is", value: "" }], actions: [{ type: "set_category", value: "" }] };
  return {
    conditions: rule.conditions.map((c) => ({ field: c.field as FieldName, operator: c.operator as Operator, value: describeValue(c.value) })),
    actions: rule.actions.map((a) => ({ type: a.type as ActionType, value: String(a.value) })),
  };
}

function conditionValue(row: ConditionRow): unknown {
  const parts = row.value
    .split(/[,，]/)
    .map((v) => v.trim())
    .filter(Boolean);
  const number = (v: string) => Number(v.replace(/[^\d]/g, "")) || 0;
  if (row.field === "amount") return row.operator === "is" ? number(row.value) : parts.map(number);
  if (row.field === "account") return Number(row.value) || 0;
  return row.operator === "one_of" ? parts : row.value.trim();
}

function RuleDialog({ rule, onClose, onSaved }: { rule: Rule | null; onClose: () => void; onSaved: (rule: Rule, preview: boolean) => void }) {
  const { t } = useI18n();
  const accounts = useAccounts().data ?? [];
  const categories: Category[] = useCategories().data ?? [];
  const payees = usePayees().data ?? [];
  const [name, setName] = useState(rule?.name ?? "");
  const [match, setMatch] = useState(rule?.match ?? "all");
  const [rows, setRows] = useState(rowsOf(rule));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setCondition = (index: number, change: Partial<ConditionRow>) =>
    setRows((r) => ({
      ...r,
      conditions: r.conditions.map((c, i) => {
        if (i !== index) return c;
        const next = { ...c, ...change };
        if (change.field && !OPERATORS[change.field].includes(next.operator)) next.operator = OPERATORS[change.field][0] ?? "is";
        if (change.field) next.value = "";
        return next;
      }),
    }));
  const setAction = (index: number, change: Partial<ActionRow>) =>
    setRows((r) => ({ ...r, actions: r.actions.map((a, i) => (i === index ? { ...a, ...change, ...(change.type ? { value: "" } : {}) } : a)) }));

  const save = async (preview: boolean) => {
    setBusy(true);
    setMessage(null);
    const body = {
      name: name.trim(),
      match,
      conditions: rows.conditions.map((c) => ({ field: c.field, operator: c.operator, value: conditionValue(c) })),
      actions: rows.actions.map((a) => ({ type: a.type, value: a.type === "set_category" || a.type === "set_payee" ? Number(a.value) || 0 : a.value.trim() })),
    };
    const outcome = rule
      ? await call(() => api.PATCH("/api/v1/rules/{rule_id}", { params: { path: { rule_id: rule.id } }, body }))
      : await call(() => api.POST("/api/v1/rules", { body }));
    setBusy(false);
    if ("failure" in outcome) {
      // Nested field errors (conditions.N.value) are shown on the row's value; the rest as one message.
      const flat: Record<string, string> = {};
      const problem = outcome.failure.kind === "problem" ? outcome.failure.problem : null;
      const raw = (problem?.errors ?? {}) as Record<string, unknown>;
      for (const group of ["conditions", "actions"]) {
        const byIndex = raw[group];
        if (byIndex && typeof byIndex === "object" && !Array.isArray(byIndex)) {
          for (const [i, fields] of Object.entries(byIndex as Record<string, Record<string, unknown>>)) {
            for (const f of Object.keys(fields)) flat[`${group}-${i}-${f === "operator" ? "operator" : "value"}`] = t.fieldInvalid;
          }
        } else if (byIndex) flat[group] = t.fieldInvalid;
      }
      setErrors({ ...fieldErrors(outcome.failure, t), ...flat });
      setMessage(failureMessage(outcome.failure, t));
      return;
    }
    onSaved(outcome.data, preview);
  };
  const submit = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    void save(false);
  };

  return (
    <Dialog title={rule ? t.editRule : t.addRule} onClose={onClose} wide>
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit} class="rule-form">
        <Field id="rule-name" label={t.ruleName} value={name} onValue={setName} maxLength={100} autoComplete="off" error={errors.name} />
        <SelectField id="rule-match" label={t.ruleMatch} value={match} onValue={(v) => setMatch(v === "any" ? "any" : "all")}>
          <option value="all">{t.matchAll}</option>
          <option value="any">{t.matchAny}</option>
        </SelectField>
        <fieldset>
          <legend>{t.conditions}</legend>
          {errors.conditions && <p class="field-error">{errors.conditions}</p>}
          {rows.conditions.map((c, i) => (
            <div key={i} class="rule-row" role="group" aria-label={t.conditionN(i + 1)}>
              <SelectField id={`condition-${i}-field`} label={t.field} value={c.field} onValue={(v) => setCondition(i, { field: v as FieldName })}>
                {FIELDS.map((f) => (
                  <option key={f} value={f}>
                    {t.ruleField[f]}
                  </option>
                ))}
              </SelectField>
              <SelectField
                id={`condition-${i}-operator`}
                label={t.operator}
                value={c.operator}
                onValue={(v) => setCondition(i, { operator: v as Operator })}
                error={errors[`conditions-${i}-operator`]}
              >
                {OPERATORS[c.field].map((o) => (
                  <option key={o} value={o}>
                    {t.ruleOperator[o]}
                  </option>
                ))}
              </SelectField>
              {c.field === "account" ? (
                <SelectField id={`condition-${i}-value`} label={t.value} value={c.value} onValue={(v) => setCondition(i, { value: v })} error={errors[`conditions-${i}-value`]}>
                  <option value="">{t.choose}</option>
                  <AccountOptions accounts={accounts.filter((a) => !a.archived)} />
                </SelectField>
              ) : (
                <Field
                  id={`condition-${i}-value`}
                  label={t.value}
                  value={c.value}
                  onValue={(v) => setCondition(i, { value: v })}
                  maxLength={c.operator === "one_of" ? 4200 : 200}
                  autoComplete="off"
                  hint={c.operator === "one_of" || c.operator === "between" ? t.valueListHint : undefined}
                  error={errors[`conditions-${i}-value`]}
                />
              )}
              {rows.conditions.length > 1 && (
                <button
                  type="button"
                  class="button button--small button--quiet"
                  aria-label={t.removeConditionN(i + 1)}
                  onClick={() => setRows((r) => ({ ...r, conditions: r.conditions.filter((_, j) => j !== i) }))}
                >
                  <span aria-hidden="true">×</span>
                </button>
              )}
            </div>
          ))}
          {rows.conditions.length < 10 && (
            <button
              type="button"
              class="button button--small"
              onClick={() => setRows((r) => ({ ...r, conditions: [...r.conditions, { field: "memo", operator: "contains", value: "" }] }))}
            >
              {t.addCondition}
            </button>
          )}
        </fieldset>
        <fieldset>
          <legend>{t.actions}</legend>
          {errors.actions && <p class="field-error">{errors.actions}</p>}
          {rows.actions.map((a, i) => (
            <div key={i} class="rule-row" role="group" aria-label={t.actionN(i + 1)}>
              <SelectField id={`action-${i}-type`} label={t.field} value={a.type} onValue={(v) => setAction(i, { type: v as ActionType })}>
                {ACTIONS.map((type) => (
                  <option key={type} value={type}>
                    {t.ruleAction[type]}
                  </option>
                ))}
              </SelectField>
              {a.type === "set_category" ? (
                <SelectField id={`action-${i}-value`} label={t.value} value={a.value} onValue={(v) => setAction(i, { value: v })} error={errors[`actions-${i}-value`]}>
                  <option value="">{t.choose}</option>
                  {categoryTree(categories)
                    .flatMap(({ parent, children }) => [parent, ...children])
                    .filter((c) => !c.archived)
                    .map((c) => (
                      <option key={c.id} value={String(c.id)}>
                        {categoryLabel(categories, c.id)}
                      </option>
                    ))}
                </SelectField>
              ) : a.type === "set_payee" ? (
                <SelectField id={`action-${i}-value`} label={t.value} value={a.value} onValue={(v) => setAction(i, { value: v })} error={errors[`actions-${i}-value`]}>
                  <option value="">{t.choose}</option>
                  {payees.map((p) => (
                    <option key={p.id} value={String(p.id)}>
                      {p.name}
                    </option>
                  ))}
                </SelectField>
              ) : (
                <Field
                  id={`action-${i}-value`}
                  label={t.value}
                  value={a.value}
                  onValue={(v) => setAction(i, { value: v })}
                  maxLength={a.type === "add_tag" ? 50 : 500}
                  autoComplete="off"
                  error={errors[`actions-${i}-value`]}
                />
              )}
              {rows.actions.length > 1 && (
                <button
                  type="button"
                  class="button button--small button--quiet"
                  aria-label={t.removeActionN(i + 1)}
                  onClick={() => setRows((r) => ({ ...r, actions: r.actions.filter((_, j) => j !== i) }))}
                >
                  <span aria-hidden="true">×</span>
                </button>
              )}
            </div>
          ))}
          {rows.actions.length < 10 && (
            <button type="button" class="button button--small" onClick={() => setRows((r) => ({ ...r, actions: [...r.actions, { type: "add_tag", value: "" }] }))}>
              {t.addAction}
            </button>
          )}
        </fieldset>
        <div class="form-actions">
          <button type="button" class="button" disabled={busy} onClick={() => save(true)}>
            {t.saveAndPreview}
          </button>
          <button type="submit" class="button button--primary" disabled={busy}>
            {t.save}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function PreviewDialog({ rule, onClose, onApplied }: { rule: Rule; onClose: () => void; onApplied: (notice: string) => void }) {
  const { t } = useI18n();
  const categories = useCategories().data ?? [];
  const payees = usePayees().data ?? [];
  const preview = useResource<Schemas["Preview"]>(async () => {
    const outcome = await call(() => api.POST("/api/v1/rules/{rule_id}/preview", { params: { path: { rule_id: rule.id } } }));
    return "data" in outcome ? { data: outcome.data } : outcome;
  }, [rule.id]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const show = (field: string, value: unknown) => {
    if (value === null || value === undefined || value === "") return "—";
    if (field === "category_id") return categoryLabel(categories, Number(value));
    if (field === "payee_id") return payees.find((p) => p.id === value)?.name ?? `#${String(value)}`;
    return describeValue(value);
  };
  const fieldName: Record<string, string> = { category_id: t.category, payee_id: t.payee, tags: t.tags, memo: t.memo };
  const apply = async () => {
    const items = preview.data?.items ?? [];
    setBusy(true);
    const outcome = await call(() =>
      api.POST("/api/v1/rules/{rule_id}/apply", { params: { path: { rule_id: rule.id } }, body: { entries: items.map((i) => ({ entry_id: i.entry_id, version: i.version })) } }),
    );
    setBusy(false);
    if ("failure" in outcome) return setMessage(failureMessage(outcome.failure, t) ?? t.serverError);
    onApplied(t.applied(outcome.data.applied.length, outcome.data.conflicts.length));
  };
  const items = preview.data?.items ?? [];
  return (
    <Dialog title={t.previewTitle} onClose={onClose} wide>
      {message && <Alert>{message}</Alert>}
      {preview.failure && <LoadError failure={preview.failure} retry={preview.reload} />}
      {!preview.data && !preview.failure && <Loading />}
      {preview.data && (
        <>
          <p role="status">{items.length ? t.previewCount(items.length) : t.previewNone}</p>
          {preview.data.truncated && <p class="hint">{t.previewTruncated}</p>}
          {items.length > 0 && (
            <div class="table-scroll">
              <table class="preview-table">
                <thead>
                  <tr>
                    <th scope="col">{t.date}</th>
                    <th scope="col">{t.memo}</th>
                    <th scope="col">{t.field}</th>
                    <th scope="col">{t.before}</th>
                    <th scope="col">{t.after}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.flatMap((item) =>
                    item.changes.map((change, i) => (
                      <tr key={`${item.entry_id}-${change.field}`}>
                        <td>{i === 0 ? item.occurred_on : ""}</td>
                        <td>{i === 0 ? item.memo : ""}</td>
                        <td>{fieldName[change.field] ?? change.field}</td>
                        <td>{show(change.field, change.before)}</td>
                        <td>{show(change.field, change.after)}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          )}
          <div class="form-actions">
            <button type="button" class="button" onClick={onClose}>
              {t.cancel}
            </button>
            {items.length > 0 && (
              <button type="button" class="button button--primary" disabled={busy} onClick={apply}>
                {t.applyToThese}
              </button>
            )}
          </div>
        </>
      )}
    </Dialog>
  );
}
