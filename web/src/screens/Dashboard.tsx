/** `/`: the accounting month at a glance (GET /reports/monthly), honouring month_start_day. */
import { useEffect, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { type Failure, failureMessage, failureOf } from "../api/problem";
import { Alert } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { type Loaded, loadExponents, useMe } from "../data";
import { formatDate, formatMonthLabel, useI18n } from "../i18n";
import { formatMoney } from "../money";
import { formatMonth, monthOf, parseMonth, shiftMonth, type YearMonth } from "../months";
import { navigate, useLocation } from "../router";
import { api } from "../services";

type Report = Schemas["MonthlyReport"];

export function Dashboard({ userId }: { userId: string }) {
  const { t } = useI18n();
  const [me, retryMe] = useMe(userId);
  const { query } = useLocation();
  if (me.status === "loading") {
    return (
      <p role="status" class="loading">
        {t.loading}
      </p>
    );
  }
  if (me.status === "failed") return <LoadFailed failure={me.failure} retry={retryMe} />;
  const current = monthOf(new Date(), me.value.month_start_day ?? 1);
  const month = parseMonth(query.get("month")) ?? current;
  return <MonthView month={month} current={current} currency={me.value.currency ?? "KRW"} />;
}

function MonthView({ month, current, currency }: { month: YearMonth; current: YearMonth; currency: string }) {
  const { t, lang } = useI18n();
  const [report, setReport] = useState<Loaded<Report>>({ status: "loading" });
  const [exponent, setExponent] = useState<number | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const key = formatMonth(month);

  useEffect(() => {
    let live = true;
    setReport({ status: "loading" });
    api.GET("/api/v1/reports/monthly", { params: { query: { month: key } } }).then(
      (result) => {
        if (!live) return;
        if (result.data) setReport({ status: "ready", value: result.data });
        else setReport({ status: "failed", failure: failureOf(result) });
      },
      (thrown: unknown) => live && setReport({ status: "failed", failure: failureOf({ thrown }) }),
    );
    return () => {
      live = false;
    };
  }, [key, attempt]);

  useEffect(() => {
    loadExponents().then((map) => setExponent(map.get(currency)));
  }, [currency]);

  const go = (target: YearMonth) => {
    const value = formatMonth(target);
    navigate(value === formatMonth(current) ? "/" : `/?month=${value}`);
  };
  const data = report.status === "ready" ? report.value : null;
  const money = (minor: number | undefined) => formatMoney(minor ?? 0, data?.currency ?? currency, lang, exponent);
  const isCurrent = key === formatMonth(current);

  return (
    <div class="dashboard">
      <div class="month-header">
        <div>
          <PageTitle>{formatMonthLabel(month.year, month.month, lang)}</PageTitle>
          {data?.from && data.to && <p class="month-range">{t.monthRange(formatDate(data.from, lang), formatDate(data.to, lang))}</p>}
        </div>
        <div class="month-nav">
          <button type="button" class="button" onClick={() => go(shiftMonth(month, -1))}>
            <span aria-hidden="true">‹ </span>
            {t.previousMonth}
          </button>
          {!isCurrent && (
            <button type="button" class="button button--quiet" onClick={() => go(current)}>
              {t.currentMonth}
            </button>
          )}
          <button type="button" class="button" onClick={() => go(shiftMonth(month, 1))}>
            {t.nextMonth}
            <span aria-hidden="true"> ›</span>
          </button>
        </div>
      </div>

      {report.status === "failed" && <LoadFailed failure={report.failure} retry={() => setAttempt((a) => a + 1)} />}

      <section class="card" aria-labelledby="summary-title" aria-busy={report.status === "loading"}>
        <h2 id="summary-title" class="visually-hidden">
          {t.monthSummary}
        </h2>
        <dl class="totals">
          <div class="total total--income">
            <dt>{t.income}</dt>
            <dd>{data ? money(data.income) : "—"}</dd>
          </div>
          <div class="total total--expense">
            <dt>{t.expenses}</dt>
            <dd>{data ? money(data.expense) : "—"}</dd>
          </div>
          <div class={`total total--net${data && (data.net ?? 0) < 0 ? " total--negative" : ""}`}>
            <dt>{t.net}</dt>
            <dd>{data ? money(data.net) : "—"}</dd>
          </div>
        </dl>
        {data?.budget && "amount" in data.budget && typeof data.budget.amount === "number" && (
          <p class="budget-line">
            {t.budget}: {t.budgetSpent(money(data.budget.spent), money(data.budget.amount))}
          </p>
        )}
        {data && !data.income && !data.expense && <p class="empty">{t.nothingYet}</p>}
      </section>
    </div>
  );
}

function LoadFailed({ failure, retry }: { failure: Failure; retry: () => void }) {
  const { t } = useI18n();
  const message = failureMessage(failure, t);
  if (message === null) return null;
  return (
    <Alert>
      {message}{" "}
      <button type="button" class="link-button" onClick={retry}>
        {t.tryAgain}
      </button>
    </Alert>
  );
}
