/** `/`: the accounting month at a glance, honouring month_start_day. One call per month (GET /reports/monthly):
 * totals, charts, budget progress and the latest entries all come from the report, and so does every re-fetch
 * after an entry is added, edited or deleted here. */
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { type Failure, failureMessage } from "../api/problem";
import { CardsDue } from "../components/CardsDue";
import { CategoryChart, DayChart, Progress, type Slice } from "../components/Charts";
import { EntryList } from "../components/EntryList";
import { lazy } from "../components/lazy";
import { Alert, LoadError, Notice } from "../components/Message";
import { MonthNav } from "../components/MonthNav";
import { PageTitle } from "../components/PageTitle";
import { UpcomingCard } from "../components/UpcomingCard";
import { formatDate, formatMonthLabel, useI18n } from "../i18n";
import { WithMoney } from "../components/WithMoney";
import { accountsStore, budgetTotal, call, categoryColor, categoryLabel, type Entry, type Money, useAccounts, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { formatMoney } from "../money";
import { formatMonth, monthOf, parseMonth, type YearMonth } from "../months";
import { Link, navigate, useLocation } from "../router";
import { api } from "../services";
import { useResource } from "../useResource";

import { NEW_ENTRY_EVENT } from "../components/TabBar";
import { onOutbox } from "../offline/outbox";

const EntryForm = lazy(() => import("../components/EntryForm"));
// Its own chunk, as before: only a deletion needs it, and the dashboard is in the first load.
const DeleteEntryDialog = lazy(() => import("../components/DeleteEntryDialog"));

type Report = Schemas["MonthlyReport"];

export function Dashboard() {
  return <WithMoney>{(money, ledger) => <DashboardView money={money} startDay={ledger.month_start_day} />}</WithMoney>;
}

function DashboardView({ money, startDay }: { money: Money; startDay: number }) {
  const { t, lang } = useI18n();
  const { query } = useLocation();
  const current = monthOf(new Date(), startDay);
  const month = parseMonth(query.get("month")) ?? current;
  const key = formatMonth(month);
  const report = useResource<Report>((signal) => call(() => api.GET("/api/v1/reports/monthly", { params: { query: { month: key } }, signal })), [key]);
  const [form, setForm] = useState<{ id?: number } | null>(null);
  const [deleting, setDeleting] = useState<Entry | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [changes, setChanges] = useState(0); // entries changed here: CardsDue loads again
  const accounts = useAccounts();
  const categories = useCategories();
  const writable = useCanWrite();

  // The tab bar's "+" (components/TabBar.tsx), and entries written offline that reached the server.
  useEffect(() => {
    const open = () => setForm({});
    window.addEventListener(NEW_ENTRY_EVENT, open);
    return () => window.removeEventListener(NEW_ENTRY_EVENT, open);
  }, []);
  const { reload } = report;
  useEffect(() => onOutbox(reload), [reload]);

  /** After a change made here: the report again (one call), and the shared account balances. */
  const changed = (message: string) => {
    setFailure(null);
    setNotice(message);
    report.reload();
    setChanges((n) => n + 1);
    void accountsStore.reload();
  };

  const go = (target: YearMonth) => {
    const value = formatMonth(target);
    navigate(value === formatMonth(current) ? "/" : `/?month=${value}`);
  };
  // Another month's numbers are never shown under this month's title; this month's stay while they reload.
  const data = report.data?.month === key ? report.data : null;
  const loading = report.loading || (!data && !report.failure);
  const money$ = (minor: number) => formatMoney(minor, data?.currency ?? money.currency, lang, money.exponent);
  const categoryList = categories.data ?? [];
  const accountList = accounts.data ?? [];

  const slices: Slice[] = (data?.by_category ?? [])
    .filter((row) => row.kind === "expense" && row.parent_id == null)
    .map((row) => ({
      id: row.category_id,
      label: row.name ?? t.uncategorised,
      value: row.total,
      share: row.share,
      color: categoryColor(categoryList, row.category_id),
    }));
  const total = data ? budgetTotal(data) : null;
  const budgetItems = (data?.budgets ?? []).filter((item) => item.amount > 0);
  const recent = data?.recent ?? null;

  return (
    <div class="dashboard">
      <div class="page-head">
        <div>
          <PageTitle>{formatMonthLabel(month.year, month.month, lang)}</PageTitle>
          {data?.from && data.to && <p class="page-sub">{t.monthRange(formatDate(data.from, lang), formatDate(data.to, lang))}</p>}
        </div>
        <MonthNav month={month} current={current} onMonth={go} />
      </div>

      {report.failure && <LoadError failure={report.failure} retry={report.reload} />}
      {notice && <Notice>{notice}</Notice>}
      {failure && <Alert>{failureMessage(failure, t) ?? t.serverError}</Alert>}

      <section class="card summary" aria-labelledby="summary-title" aria-busy={loading}>
        <h2 id="summary-title" class="visually-hidden">
          {t.monthSummary}
        </h2>
        <dl class="totals">
          <div class="total total--income">
            <dt>{t.income}</dt>
            <dd data-value={data?.income}>{data ? money$(data.income) : "—"}</dd>
          </div>
          <div class="total total--expense">
            <dt>{t.expenses}</dt>
            <dd data-value={data?.expense}>{data ? money$(data.expense) : "—"}</dd>
          </div>
          <div class={`total total--net${data && data.net < 0 ? " total--negative" : ""}`}>
            <dt>{t.net}</dt>
            <dd data-value={data?.net}>{data ? money$(data.net) : "—"}</dd>
          </div>
        </dl>
        {writable && (
          <button type="button" class="button button--primary add-entry" onClick={() => setForm({})}>
            <span aria-hidden="true">+ </span>
            {t.addEntry}
          </button>
        )}
      </section>

      {data && !data.income && !data.expense && (
        <p class="empty card">
          {t.nothingYet} {t.nothingYetHelp}
        </p>
      )}

      <div class="dashboard__grid">
        <CardsDue month={key} money={money} changes={changes} />
        <UpcomingCard month={key} money={money} />
        {(total || budgetItems.length > 0) && (
          <section class="card" aria-labelledby="budget-title">
            <h2 id="budget-title">{t.budgetProgress}</h2>
            {total && <BudgetRow as="div" total name={t.total} line={total} format={money$} />}
            <ul class="budget-list">
              {budgetItems.map((item) => (
                <BudgetRow key={item.category_id} as="li" name={categoryLabel(categoryList, item.category_id)} line={item} format={money$} />
              ))}
            </ul>
            <Link href="/budgets" class="more-link">
              {t.editBudgets}
            </Link>
          </section>
        )}

        {slices.length > 0 && (
          <section class="card" aria-labelledby="by-category-title">
            <h2 id="by-category-title">{t.spendingByCategory}</h2>
            <CategoryChart
              id="by-category"
              title={t.spendingByCategory}
              slices={slices}
              total={data?.expense ?? 0}
              format={money$}
              onPick={(id) => id !== null && navigate(`/entries?${new URLSearchParams({ month: key, type: "expense", category_id: String(id) })}`)}
            />
          </section>
        )}

        {data && data.expense > 0 && (
          <section class="card" aria-labelledby="by-day-title">
            <h2 id="by-day-title">{t.spendingByDay}</h2>
            <DayChart
              id="by-day"
              title={t.spendingByDay}
              days={data.by_day.map((d) => ({ date: d.date, income: d.income, expense: d.expense }))}
              format={money$}
              formatDay={(d) => formatDate(d, lang)}
            />
          </section>
        )}

        <section class="card" aria-labelledby="recent-title">
          <h2 id="recent-title">{t.recentEntries}</h2>
          {recent === null ? (
            loading && <p class="loading">{t.loading}</p>
          ) : recent.length === 0 ? (
            <p class="hint">{t.noEntriesThisMonth}</p>
          ) : (
            <EntryList
              entries={recent}
              accounts={accountList}
              categories={categoryList}
              money={money}
              label={t.recentEntries}
              onEdit={
                writable
                  ? (entry) => {
                      setNotice(null);
                      setFailure(null);
                      setForm({ id: entry.id });
                    }
                  : undefined
              }
              onDelete={
                writable
                  ? (entry) => {
                      setNotice(null);
                      setFailure(null);
                      setDeleting(entry);
                    }
                  : undefined
              }
            />
          )}
          <Link href={key === formatMonth(current) ? "/entries" : `/entries?month=${key}`} class="more-link">
            {t.allEntries}
          </Link>
        </section>
      </div>

      {form && (
        <EntryForm
          money={money}
          entryId={form.id}
          onClose={() => setForm(null)}
          onSaved={(_entry, created) => {
            setForm(null);
            changed(created ? t.entryAdded : t.entrySaved);
          }}
          onQueued={() => {
            setForm(null);
            setNotice(t.entryQueued);
          }}
        />
      )}
      {deleting && <DeleteEntryDialog entry={deleting} onClose={() => setDeleting(null)} onDeleted={() => changed(t.entryDeleted)} onFailed={setFailure} />}
    </div>
  );
}

interface BudgetLine {
  amount: number;
  spent: number;
  remaining: number;
}

/** One budget line (a category's, or the month's total): spent of the limit, by how much it is over, and a bar. */
function BudgetRow({ as: Tag, name, line, format, total = false }: { as: "div" | "li"; name: string; line: BudgetLine; format: (minor: number) => string; total?: boolean }) {
  const { t } = useI18n();
  const over = line.spent > line.amount;
  return (
    <Tag class={`budget-row${total ? " budget-row--total" : ""}${over ? " budget-row--over" : ""}`}>
      <div class="budget-row__text">
        <span class="budget-row__name">{name}</span>
        <span>
          {t.budgetSpent(format(line.spent), format(line.amount))}
          {over && <strong class="over-badge">{` ${t.overBy(format(-line.remaining))}`}</strong>}
        </span>
      </div>
      <Progress spent={line.spent} amount={line.amount} label={t.budgetOf(name, format(line.spent), format(line.amount))} />
    </Tag>
  );
}
