/** `/budgets`: a month's limit per expense category, edited in place; spent and remaining; Copy last month. */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { failureMessage } from "../api/problem";
import { Progress } from "../components/Charts";
import { amountError } from "../components/EntryForm";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { MonthNav } from "../components/MonthNav";
import { PageTitle } from "../components/PageTitle";
import { WithMoney } from "../components/WithMoney";
import { formatMonthLabel, useI18n } from "../i18n";
import { budgetTotal, call, type Category, categoryColor, categoryTree, type Money, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { formatMoney, minorToInput, parseAmount } from "../money";
import { formatMonth, monthOf, parseMonth, shiftMonth, type YearMonth } from "../months";
import { navigate, useLocation } from "../router";
import { api } from "../services";
import { useResource } from "../useResource";

type Report = Schemas["MonthlyReport"];

export default function Budgets() {
  return <WithMoney>{(money, ledger) => <BudgetsView money={money} startDay={ledger.month_start_day} />}</WithMoney>;
}

function BudgetsView({ money, startDay }: { money: Money; startDay: number }) {
  const { query } = useLocation();
  const current = monthOf(new Date(), startDay);
  const month = parseMonth(query.get("month")) ?? current;
  return <BudgetMonth key={formatMonth(month)} month={month} current={current} money={money} />;
}

function BudgetMonth({ month, current, money }: { month: YearMonth; current: YearMonth; money: Money }) {
  const { t, lang } = useI18n();
  const categories = useCategories();
  const key = formatMonth(month);
  // One call: the monthly report has the month's budget lines (`budgets`, GET /budgets/{month}'s items), its
  // total (`budget`) and what each category spent (`by_category`, for the categories without a limit).
  const report = useResource<Report>((signal) => call(() => api.GET("/api/v1/reports/monthly", { params: { query: { month: key } }, signal })), [key]);
  const [inputs, setInputs] = useState<Record<number, string>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [said, setSaid] = useState<{ error: string } | { notice: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const writable = useCanWrite(); // a viewer reads the limits, with nothing to change them
  const lines = report.data?.budgets;
  // The limits as the server has them, whenever they (re)load; what was typed meanwhile is replaced.
  useEffect(() => {
    if (lines) setInputs(Object.fromEntries(lines.map((i) => [i.category_id, minorToInput(i.amount, money.exponent)])));
  }, [lines, money.exponent]);
  const spentBy = new Map((report.data?.by_category ?? []).flatMap((c) => (c.kind === "expense" && c.category_id !== null ? [[c.category_id, c.total]] : [])));

  const fmt = (minor: number) => formatMoney(minor, money.currency, lang, money.exponent);
  const list = categories.data ?? [];

  const put = async (items: { category_id: number; amount: number }[], notice: string) => {
    setBusy(true);
    setSaid(null);
    const outcome = await call(() => api.PUT("/api/v1/budgets/{month}", { params: { path: { month: key } }, body: { items } }));
    setBusy(false);
    if ("failure" in outcome) {
      setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
      return;
    }
    report.reload();
    setSaid({ notice });
  };

  const save = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<number, string> = {};
    const items: { category_id: number; amount: number }[] = [];
    for (const [id, text] of Object.entries(inputs)) {
      if (!text.trim()) continue;
      const parsed = parseAmount(text, money.exponent, money.currency);
      if (parsed.ok) items.push({ category_id: Number(id), amount: parsed.minor });
      else if (parsed.error !== "zero") found[Number(id)] = amountError(parsed.error, t, money.exponent);
    }
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      setSaid({ error: t.formHasErrors });
      document.getElementById(`budget-${first}`)?.focus();
      return;
    }
    void put(items, t.budgetsSaved);
  };

  const copyLast = async () => {
    setSaid(null);
    const prev = formatMonth(shiftMonth(month, -1));
    const outcome = await call(() => api.GET("/api/v1/budgets/{month}", { params: { path: { month: prev } } }));
    if ("failure" in outcome) return setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
    const items = outcome.data.items.map((i) => ({ category_id: i.category_id, amount: i.amount }));
    if (!items.length) return setSaid({ error: t.nothingToCopy });
    await put(items, t.budgetsCopied(items.length));
  };

  const byId = new Map((lines ?? []).map((i) => [i.category_id, i]));
  const row = (category: Category, child: boolean) => {
    const id = category.id;
    const item = byId.get(id);
    const spent = item?.spent ?? spentBy.get(id) ?? 0;
    const over = item ? item.remaining < 0 : false;
    const name = category.name;
    return (
      <li key={id} class={`budget-edit${child ? " budget-edit--child" : ""}${over ? " budget-row--over" : ""}`}>
        <label for={`budget-${id}`} class="budget-edit__name">
          <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
            <circle cx="5" cy="5" r="5" fill={categoryColor(list, id)} />
          </svg>
          <span>{name}</span>
          <span class="visually-hidden"> {t.limit}</span>
        </label>
        <span class="budget-edit__input">
          <input
            id={`budget-${id}`}
            value={inputs[id] ?? ""}
            inputMode="decimal"
            autoComplete="off"
            placeholder="0"
            readOnly={!writable}
            aria-invalid={errors[id] ? "true" : undefined}
            aria-describedby={`budget-${id}-spent${errors[id] ? ` budget-${id}-error` : ""}`}
            onInput={(e) => setInputs((v) => ({ ...v, [id]: e.currentTarget.value }))}
          />
          {errors[id] && (
            <span id={`budget-${id}-error`} class="field-error">
              {errors[id]}
            </span>
          )}
        </span>
        <span id={`budget-${id}-spent`} class="budget-edit__numbers">
          <span data-value={spent}>{t.spentAmount(fmt(spent))}</span>
          {item && <span class={over ? "negative" : "muted"}>{over ? t.overBy(fmt(-item.remaining)) : t.remainingAmount(fmt(item.remaining))}</span>}
        </span>
        {item && <Progress spent={spent} amount={item.amount} label={t.budgetOf(name, fmt(spent), fmt(item.amount))} />}
      </li>
    );
  };

  const total = report.data ? budgetTotal(report.data) : null;
  return (
    <div class="budgets-page">
      <div class="page-head">
        <div>
          <PageTitle>{t.budgets}</PageTitle>
          <p class="page-sub">{formatMonthLabel(month.year, month.month, lang)}</p>
        </div>
        <MonthNav month={month} current={current} onMonth={(m) => navigate(formatMonth(m) === formatMonth(current) ? "/budgets" : `/budgets?month=${formatMonth(m)}`)} />
      </div>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      {report.failure && <LoadError failure={report.failure} retry={report.reload} />}
      {total && total.amount > 0 && (
        <section class="card" aria-labelledby="budget-total-title">
          <h2 id="budget-total-title">{t.total}</h2>
          <p class="big-number">{t.budgetSpent(fmt(total.spent), fmt(total.amount))}</p>
          <Progress spent={total.spent} amount={total.amount} label={t.budgetOf(t.total, fmt(total.spent), fmt(total.amount))} />
          <p class={total.remaining < 0 ? "negative" : "hint"}>{total.remaining < 0 ? t.overBy(fmt(-total.remaining)) : t.remainingAmount(fmt(total.remaining))}</p>
        </section>
      )}
      <section class="card" aria-labelledby="limits-title">
        <div class="section-head">
          <h2 id="limits-title">{t.monthlyLimits}</h2>
          {writable && (
            <button type="button" class="button button--small" onClick={copyLast} disabled={busy}>
              {t.copyLastMonth}
            </button>
          )}
        </div>
        <p class="hint">{writable ? t.budgetsHelp : t.viewOnly}</p>
        {lines === undefined ? (
          report.loading && <Loading />
        ) : (
          <form noValidate onSubmit={save} class="budget-form">
            <ul class="budget-edit-list">
              {categoryTree(list, "expense")
                .filter(({ parent }) => !parent.archived || byId.has(parent.id))
                .flatMap(({ parent, children }) => [row(parent, false), ...children.filter((c) => !c.archived || byId.has(c.id)).map((c) => row(c, true))])}
            </ul>
            {writable && (
              <button type="submit" class="button button--primary" disabled={busy}>
                {t.saveBudgets}
              </button>
            )}
          </form>
        )}
      </section>
    </div>
  );
}
