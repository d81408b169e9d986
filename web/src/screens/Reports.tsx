/** `/reports`: the trend (12 months by default, up to 120), a month's breakdown by category, and CSV
 * export/import (dry run first). */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ImportRowCode, ProblemCode, Schemas } from "../api/client";
import { TrendChart } from "../components/Charts";
import { Field } from "../components/Field";
import { Alert, LoadError, Notice } from "../components/Message";
import { MonthNav } from "../components/MonthNav";
import { PageTitle } from "../components/PageTitle";
import { WithMoney } from "../components/WithMoney";
import { downloadCsv, type ImportOutcome, importCsv } from "../csv";
import { formatMonthLabel, useI18n } from "../i18n";
import { accountsStore, call, categoriesStore, categoryColor, type Money, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { formatMoney } from "../money";
import { formatMonth, monthBounds, monthOf, monthsBetween, parseMonth, shiftMonth, type YearMonth } from "../months";
import { navigate, useLocation } from "../router";
import { api } from "../services";
import { useResource } from "../useResource";

type Report = Schemas["MonthlyReport"];
const PRESETS = [12, 24, 60, 120];

export default function Reports() {
  return <WithMoney>{(money, ledger) => <ReportsView money={money} startDay={ledger.month_start_day} />}</WithMoney>;
}

function ReportsView({ money, startDay }: { money: Money; startDay: number }) {
  const { t, lang } = useI18n();
  const { query } = useLocation();
  const current = monthOf(new Date(), startDay);
  const to = parseMonth(query.get("to")) ?? current;
  const from = parseMonth(query.get("from")) ?? shiftMonth(to, -11);
  const month = parseMonth(query.get("month")) ?? current;
  const fmt = (minor: number) => formatMoney(minor, money.currency, lang, money.exponent);

  const setQuery = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(query);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const text = next.toString();
    navigate(`/reports${text ? `?${text}` : ""}`, { replace: true });
  };

  const writable = useCanWrite();
  return (
    <div class="reports-page">
      <PageTitle>{t.reports}</PageTitle>
      <Trend from={from} to={to} current={current} fmt={fmt} setQuery={setQuery} />
      <Breakdown month={month} current={current} fmt={fmt} onMonth={(m) => setQuery({ month: formatMonth(m) === formatMonth(current) ? null : formatMonth(m) })} />
      <CsvSection from={from} to={to} startDay={startDay} canImport={writable} />
    </div>
  );
}

function Trend({
  from,
  to,
  current,
  fmt,
  setQuery,
}: {
  from: YearMonth;
  to: YearMonth;
  current: YearMonth;
  fmt: (m: number) => string;
  setQuery: (c: Record<string, string | null>) => void;
}) {
  const { t, lang } = useI18n();
  const [fromText, setFromText] = useState(formatMonth(from));
  const [toText, setToText] = useState(formatMonth(to));
  const [rangeError, setRangeError] = useState<string | null>(null);
  const fromKey = formatMonth(from);
  const toKey = formatMonth(to);
  // The chart of the last range stays (marked busy) while another range loads.
  const trend = useResource(
    async (signal) => {
      const outcome = await call(() => api.GET("/api/v1/reports/trend", { params: { query: { from: fromKey, to: toKey } }, signal }));
      return "data" in outcome ? { data: outcome.data.items } : outcome;
    },
    [fromKey, toKey],
  );
  // The range's fields follow the range shown (a preset, or Back in the browser).
  useEffect(() => {
    setFromText(fromKey);
    setToText(toKey);
  }, [fromKey, toKey]);
  const items = trend.data;

  const apply = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const a = parseMonth(fromText);
    const b = parseMonth(toText);
    if (!a || !b) return setRangeError(t.monthFormat);
    const n = monthsBetween(a, b);
    if (n < 1) return setRangeError(t.rangeOrder);
    if (n > 120) return setRangeError(t.rangeTooLong);
    setRangeError(null);
    setQuery({ from: formatMonth(a), to: formatMonth(b) });
  };
  const months = monthsBetween(from, to);
  const shortMonth = (m: string) => {
    const ym = parseMonth(m);
    return ym ? new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { year: "2-digit", month: "short" }).format(new Date(ym.year, ym.month - 1, 1)) : m;
  };
  const totals = (items ?? []).reduce<{ income: number; expense: number }>((acc, i) => ({ income: acc.income + i.income, expense: acc.expense + i.expense }), {
    income: 0,
    expense: 0,
  });
  return (
    <section class="card" aria-labelledby="trend-title">
      <h2 id="trend-title">{t.trendTitle(months)}</h2>
      <div class="presets" role="group" aria-label={t.range}>
        {PRESETS.map((n) => (
          <button
            key={n}
            type="button"
            class="button button--small"
            aria-pressed={months === n && formatMonth(to) === formatMonth(current)}
            onClick={() => setQuery({ from: formatMonth(shiftMonth(current, -(n - 1))), to: null })}
          >
            {t.lastMonths(n)}
          </button>
        ))}
      </div>
      <form noValidate onSubmit={apply} class="range-form">
        <Field id="range-from" label={t.fromMonth} type="month" value={fromText} onValue={setFromText} placeholder="YYYY-MM" />
        <Field id="range-to" label={t.toMonth} type="month" value={toText} onValue={setToText} placeholder="YYYY-MM" />
        <button type="submit" class="button">
          {t.show}
        </button>
      </form>
      {rangeError && <Alert>{rangeError}</Alert>}
      {trend.failure && <LoadError failure={trend.failure} retry={trend.reload} />}
      {items === undefined ? (
        trend.loading && <p class="loading">{t.loading}</p>
      ) : (
        <div aria-busy={trend.loading || undefined}>
          <p class="hint">{t.trendSummary(fmt(totals.income), fmt(totals.expense), fmt(totals.income - totals.expense))}</p>
          <TrendChart
            id="trend"
            title={t.trendTitle(months)}
            items={items.map((i) => ({ month: i.month, income: i.income, expense: i.expense, net: i.net }))}
            format={fmt}
            formatMonthShort={shortMonth}
          />
        </div>
      )}
      <p class="hint">
        {formatMonthLabel(from.year, from.month, lang)} – {formatMonthLabel(to.year, to.month, lang)}
      </p>
    </section>
  );
}

function Breakdown({ month, current, fmt, onMonth }: { month: YearMonth; current: YearMonth; fmt: (m: number) => string; onMonth: (m: YearMonth) => void }) {
  const { t, lang } = useI18n();
  const categories = useCategories();
  const key = formatMonth(month);
  const breakdown = useResource<Report>((signal) => call(() => api.GET("/api/v1/reports/monthly", { params: { query: { month: key } }, signal })), [key]);
  // Another month's numbers are never shown under this month's heading.
  const report = breakdown.data?.month === key ? breakdown.data : null;
  const list = categories.data ?? [];
  const rows = report?.by_category ?? [];
  const table = (kind: "expense" | "income") => {
    const mine = rows.filter((r) => r.kind === kind);
    if (!mine.length) return <p class="hint">{kind === "expense" ? t.noSpending : t.noIncome}</p>;
    return (
      <div class="table-scroll">
        <table class="table breakdown">
          <caption>{kind === "expense" ? t.expenses : t.income}</caption>
          <thead>
            <tr>
              <th scope="col">{t.category}</th>
              <th scope="col" class="num">
                {t.amount}
              </th>
              <th scope="col" class="num">
                {t.share}
              </th>
              <th scope="col" class="num">
                {t.count}
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.map((r) => (
              <tr key={`${r.category_id}`} class={r.parent_id != null ? "breakdown__child" : undefined}>
                <th scope="row">
                  <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
                    <circle cx="5" cy="5" r="5" fill={categoryColor(list, r.category_id)} />
                  </svg>
                  {r.parent_id != null && <span aria-hidden="true">└ </span>}
                  {r.name ?? t.uncategorised}
                </th>
                <td class="num" data-value={r.total}>
                  {fmt(r.total)}
                </td>
                <td class="num">{t.percent(r.share * 100)}</td>
                <td class="num">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  };
  return (
    <section class="card" aria-labelledby="breakdown-title">
      <div class="section-head">
        <h2 id="breakdown-title">{t.breakdownOf(formatMonthLabel(month.year, month.month, lang))}</h2>
        <MonthNav month={month} current={current} onMonth={onMonth} />
      </div>
      {breakdown.failure && <LoadError failure={breakdown.failure} retry={breakdown.reload} />}
      {report === null ? (
        breakdown.loading && <p class="loading">{t.loading}</p>
      ) : (
        <>
          <dl class="totals totals--small">
            <div class="total total--income">
              <dt>{t.income}</dt>
              <dd data-value={report.income}>{fmt(report.income)}</dd>
            </div>
            <div class="total total--expense">
              <dt>{t.expenses}</dt>
              <dd data-value={report.expense}>{fmt(report.expense)}</dd>
            </div>
            <div class="total">
              <dt>{t.net}</dt>
              <dd data-value={report.net}>{fmt(report.net)}</dd>
            </div>
          </dl>
          {table("expense")}
          {table("income")}
        </>
      )}
    </section>
  );
}

/** `canImport`: a viewer may export, never import. */
export function CsvSection({ from, to, startDay, canImport }: { from: YearMonth; to: YearMonth; startDay: number; canImport: boolean }) {
  const { t, lang } = useI18n();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [check, setCheck] = useState<ImportOutcome | null>(null);
  const [said, setSaid] = useState<{ error: string } | { notice: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [exportAll, setExportAll] = useState(false);

  const exportCsv = async () => {
    setSaid(null);
    const params = new URLSearchParams();
    if (!exportAll) {
      params.set("from", monthBounds(from, startDay).from);
      params.set("to", monthBounds(to, startDay).to);
    }
    const name = exportAll ? "ledger-all.csv" : `ledger-${formatMonth(from)}-${formatMonth(to)}.csv`;
    const ok = await downloadCsv(params, name);
    setSaid(ok ? { notice: t.exported(name) } : { error: t.exportFailed });
  };

  const choose = async (event: JSX.TargetedEvent<HTMLInputElement>) => {
    setCheck(null);
    setSaid(null);
    const chosen = event.currentTarget.files?.[0];
    if (!chosen) return setFile(null);
    setFile({ name: chosen.name, text: await chosen.text() });
  };

  const dryRun = async () => {
    if (!file) return setSaid({ error: t.chooseFileFirst });
    setBusy(true);
    const outcome = await importCsv(file.text, true);
    setBusy(false);
    setCheck(outcome);
    if (!outcome.ok && outcome.network) setSaid({ error: t.networkError });
  };

  const runImport = async () => {
    if (!file) return;
    setBusy(true);
    const outcome = await importCsv(file.text, false);
    setBusy(false);
    if (outcome.ok) {
      setCheck(null);
      setFile(null);
      setSaid({ notice: t.imported(outcome.imported) });
      void accountsStore.reload();
      void categoriesStore.reload();
    } else {
      setCheck(outcome);
      if (outcome.network) setSaid({ error: t.networkError });
    }
  };

  // Every reason in the reader's words: the import's codes, never its English messages.
  const columns: Record<string, string> = {
    occurred_on: t.date,
    type: t.type,
    account: t.account,
    to_account: t.toAccount,
    category: t.category,
    amount: t.amount,
    memo: t.memo,
    tags: t.tags,
  };
  const columnName = (column: string) => (column in columns ? `${columns[column]}: ` : "");
  const rowReason = (code: ImportRowCode) => (code in t.importRow ? t.importRow[code] : t.fieldInvalid);
  const fileReason = (key: string) => (key === "header" ? t.csvHeaderWrong : key === "body" ? t.csvNotUtf8 : t.fieldInvalid);
  const refused = (code: ProblemCode | null) => (code === "validation_error" ? t.importProblems : code && code in t.problem ? t.problem[code] : t.serverError);
  return (
    <section class="card" aria-labelledby="csv-title">
      <h2 id="csv-title">{t.csvTitle}</h2>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      <div class="csv-block">
        <h3>{t.exportCsv}</h3>
        <p class="hint">{exportAll ? t.exportAllHelp : t.exportRangeHelp(formatMonthLabel(from.year, from.month, lang), formatMonthLabel(to.year, to.month, lang))}</p>
        <div class="checkbox">
          <input id="export-all" type="checkbox" checked={exportAll} onChange={(e) => setExportAll(e.currentTarget.checked)} />
          <label for="export-all">{t.exportEverything}</label>
        </div>
        <button type="button" class="button" onClick={exportCsv}>
          {t.downloadCsv}
        </button>
      </div>
      {canImport && (
        <div class="csv-block">
          <h3>{t.importCsv}</h3>
          <p class="hint">{t.importHelp}</p>
          <div class="field">
            <label for="import-file">{t.csvFile}</label>
            <input id="import-file" type="file" accept=".csv,text/csv" onChange={choose} />
          </div>
          <div class="form-actions">
            <button type="button" class="button" onClick={dryRun} disabled={busy || !file}>
              {t.checkFile}
            </button>
            {check?.ok && (
              <button type="button" class="button button--primary" onClick={runImport} disabled={busy}>
                {t.importRows(check.imported)}
              </button>
            )}
          </div>
          {check && (
            <div class="import-check" role="status">
              {check.ok ? (
                <>
                  <p>
                    <strong>{t.wouldImport(check.imported)}</strong>
                  </p>
                  {check.createdAccounts.length > 0 && <p>{t.newAccounts(check.createdAccounts.join(", "))}</p>}
                  {check.createdCategories.length > 0 && <p>{t.newCategories(check.createdCategories.join(", "))}</p>}
                </>
              ) : !check.network ? (
                <>
                  <p>
                    <strong>{refused(check.code)}</strong>
                  </p>
                  {check.file.length > 0 && (
                    <ul>
                      {check.file.map((key) => (
                        <li key={key}>{fileReason(key)}</li>
                      ))}
                    </ul>
                  )}
                  {check.rows.length > 0 && (
                    <ul class="import-errors">
                      {check.rows.map((row) => (
                        <li key={row.line}>
                          <strong>{t.line(row.line)}</strong>{" "}
                          {Object.entries(row.codes)
                            .map(([column, codes]) => columnName(column) + codes.map(rowReason).join(" "))
                            .join("; ")}
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              ) : null}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
