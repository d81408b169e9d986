/** `/accounts/:id/statement?month=YYYY-MM`: a credit card's statement paid in that month (GET
 * /accounts/{id}/statements): usage period, payment date, charges (installment portions), payments, amount due. */
import type { Schemas } from "../api/client";
import { LoadError, Loading } from "../components/Message";
import { MonthNav } from "../components/MonthNav";
import { PageTitle } from "../components/PageTitle";
import { WithMoney } from "../components/WithMoney";
import { formatDate, formatMonthLabel, useI18n } from "../i18n";
import { call, categoryLabel, type Money, useAccounts, useCategories } from "../ledger";
import { formatMoney } from "../money";
import { formatMonth, monthOf, parseMonth, type YearMonth } from "../months";
import { Link, navigate, useLocation } from "../router";
import { api } from "../services";
import { useResource } from "../useResource";

type Statement = Schemas["Statement"];

export default function CardStatement({ accountId }: { accountId: number }) {
  return <WithMoney>{(money) => <StatementView accountId={accountId} money={money} />}</WithMoney>;
}

function StatementView({ accountId, money }: { accountId: number; money: Money }) {
  const { t, lang } = useI18n();
  const { query } = useLocation();
  // Statements are named by the calendar month they are paid in.
  const current = monthOf(new Date());
  const month = parseMonth(query.get("month")) ?? current;
  const key = formatMonth(month);
  const statement = useResource<Statement>(
    (signal) => call(() => api.GET("/api/v1/accounts/{account_id}/statements", { params: { path: { account_id: accountId }, query: { month: key } }, signal })),
    [accountId, key],
  );
  const accounts = useAccounts();
  const categories = useCategories();
  const go = (target: YearMonth) => navigate(`/accounts/${accountId}/statement?month=${formatMonth(target)}`);
  const data = statement.data?.month === key && statement.data.account_id === accountId ? statement.data : null;
  const name = data?.account_name ?? accounts.data?.find((a) => a.id === accountId)?.name ?? "";
  const fmt = (minor: number) => formatMoney(minor, data?.currency ?? money.currency, lang, money.exponent);
  const accountName = (id: number) => accounts.data?.find((a) => a.id === id)?.name ?? "";

  return (
    <div class="statement-page">
      <div class="page-head">
        <div>
          <PageTitle>{t.statementTitle(name)}</PageTitle>
          <p class="page-sub">{formatMonthLabel(month.year, month.month, lang)}</p>
        </div>
        <MonthNav month={month} current={current} onMonth={go} />
      </div>
      <Link href="/accounts" class="more-link">
        {t.backToAccounts}
      </Link>
      {statement.failure && <LoadError failure={statement.failure} retry={statement.reload} />}
      {!data && !statement.failure && <Loading />}
      {data && (
        <>
          <section class="card" aria-labelledby="statement-summary-title">
            <h2 id="statement-summary-title" class="visually-hidden">
              {t.statement}
            </h2>
            <dl class="statement-facts">
              <div>
                <dt>{t.usagePeriod}</dt>
                <dd>
                  {formatDate(data.usage_from, lang)} – {formatDate(data.usage_to, lang)}
                </dd>
              </div>
              <div>
                <dt>{t.paymentDate}</dt>
                <dd>{formatDate(data.payment_date, lang)}</dd>
              </div>
            </dl>
            <dl class="totals">
              <div class="total">
                <dt>{t.statementTotal}</dt>
                <dd data-value={data.total}>{fmt(data.total)}</dd>
              </div>
              <div class="total total--income">
                <dt>{t.statementPaid}</dt>
                <dd data-value={data.paid}>{fmt(data.paid)}</dd>
              </div>
              <div class="total total--expense">
                <dt>{t.amountDue}</dt>
                <dd data-value={data.amount_due}>{fmt(data.amount_due)}</dd>
              </div>
            </dl>
          </section>
          <section class="card" aria-labelledby="statement-lines-title">
            <h2 id="statement-lines-title">{t.statementLines}</h2>
            {data.lines.length === 0 ? (
              <p class="hint">{t.statementNoLines}</p>
            ) : (
              <ul class="statement-lines" aria-labelledby="statement-lines-title">
                {data.lines.map((line) => (
                  <li key={`${line.entry_id}-${line.installment_number ?? 0}`} class="statement-line">
                    <span class="statement-line__date">{formatDate(line.occurred_on, lang)}</span>
                    <span class="statement-line__text">
                      {line.memo || (line.category_id != null ? categoryLabel(categories.data ?? [], line.category_id) : "")}
                      {line.installment_number != null && line.installment_months != null && (
                        <span class="badge">{t.installmentOf(line.installment_number, line.installment_months)}</span>
                      )}
                      {line.amount < 0 && <span class="badge">{t.refund}</span>}
                    </span>
                    <span class={line.amount < 0 ? "statement-line__amount negative" : "statement-line__amount"} data-value={line.amount}>
                      {fmt(line.amount)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card" aria-labelledby="statement-payments-title">
            <h2 id="statement-payments-title">{t.statementPayments}</h2>
            {data.payments.length === 0 ? (
              <p class="hint">{t.statementNoPayments}</p>
            ) : (
              <ul class="statement-lines" aria-labelledby="statement-payments-title">
                {data.payments.map((payment) => (
                  <li key={payment.entry_id} class="statement-line">
                    <span class="statement-line__date">{formatDate(payment.occurred_on, lang)}</span>
                    <span class="statement-line__text">{accountName(payment.from_account_id)}</span>
                    <span class="statement-line__amount" data-value={payment.amount}>
                      {fmt(payment.amount)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}
