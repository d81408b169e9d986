/** `/accounts`: balances and totals; create, rename, archive; a delete refused with its reason. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { failureMessage, fieldErrors } from "../api/problem";
import { CardBillingDialog } from "../components/CardBillingDialog";
import { Dialog } from "../components/Dialog";
import { Field, SelectField } from "../components/Field";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { WithMoney } from "../components/WithMoney";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { type Account, accountsStore, call, type Money, useAccounts } from "../ledger";
import { useCanWrite } from "../ledgers";
import { formatMoney, parseAmount } from "../money";
import { Link } from "../router";
import { api } from "../services";

const TYPES = ["cash", "bank", "credit_card", "debit_card", "other"] as const;
type AccountType = (typeof TYPES)[number];

export function accountTypeName(t: Messages, type: AccountType): string {
  const names: Record<AccountType, string> = {
    cash: t.accountCash,
    bank: t.accountBank,
    credit_card: t.accountCreditCard,
    debit_card: t.accountDebitCard,
    other: t.accountOther,
  };
  return names[type];
}

export default function Accounts() {
  return <WithMoney>{(money) => <AccountsView money={money} />}</WithMoney>;
}

function AccountsView({ money }: { money: Money }) {
  const { t, lang } = useI18n();
  const accounts = useAccounts();
  const [said, setSaid] = useState<{ error: string } | { notice: string } | null>(null);
  const [editing, setEditing] = useState<Account | null>(null);
  const [billing, setBilling] = useState<Account | null>(null);
  const [creating, setCreating] = useState(false);
  const [showArchived, setShowArchived] = useState(false);
  const writable = useCanWrite();
  if (!accounts.data) return accounts.failure ? <LoadError failure={accounts.failure} retry={accounts.reload} /> : <Loading />;
  const list = accounts.data;
  const open = list.filter((a) => !a.archived);
  const archived = list.filter((a) => a.archived);
  const fmt = (minor: number) => formatMoney(minor, money.currency, lang, money.exponent);
  const total = open.reduce((sum, a) => sum + BigInt(a.balance), 0n);
  const assets = open.filter((a) => a.balance > 0).reduce((sum, a) => sum + BigInt(a.balance), 0n);
  const debts = open.filter((a) => a.balance < 0).reduce((sum, a) => sum + BigInt(a.balance), 0n);

  const archive = async (account: Account, value: boolean) => {
    setSaid(null);
    const outcome = await call(() => api.PATCH("/api/v1/accounts/{account_id}", { params: { path: { account_id: account.id } }, body: { archived: value } }));
    if ("failure" in outcome) return setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
    await accountsStore.reload();
    setSaid({ notice: value ? t.accountArchived(account.name) : t.accountRestored(account.name) });
  };
  const remove = async (account: Account) => {
    setSaid(null);
    const outcome = await call(() => api.DELETE("/api/v1/accounts/{account_id}", { params: { path: { account_id: account.id } } }));
    if ("failure" in outcome) {
      const inUse = outcome.failure.kind === "problem" && outcome.failure.problem?.code === "conflict";
      return setSaid({ error: inUse ? t.accountInUse(account.name) : (failureMessage(outcome.failure, t) ?? t.serverError) });
    }
    await accountsStore.reload();
    setSaid({ notice: t.accountDeleted(account.name) });
  };

  const row = (account: Account) => (
    <li key={account.id} class={account.archived ? "account account--archived" : "account"}>
      <div class="account__text">
        <span class="account__name">{account.name}</span>
        <span class="account__type">
          {accountTypeName(t, account.type)}
          {account.archived && <span class="badge">{t.archived}</span>}
        </span>
      </div>
      <span class={account.balance < 0 ? "account__balance negative" : "account__balance"} data-value={account.balance}>
        {fmt(account.balance)}
      </span>
      {account.type === "credit_card" && (
        <span class="row-actions">
          <Link href={`/accounts/${account.id}/statement`} class="button button--small button--quiet" aria-label={t.statementNamed(account.name)}>
            {t.statement}
          </Link>
          {writable && (
            <button type="button" class="button button--small button--quiet" aria-label={t.cardBillingNamed(account.name)} onClick={() => setBilling(account)}>
              {t.cardBilling}
            </button>
          )}
        </span>
      )}
      {writable && (
        <span class="row-actions">
          <button type="button" class="button button--small button--quiet" aria-label={t.renameNamed(account.name)} onClick={() => setEditing(account)}>
            {t.rename}
          </button>
          <button
            type="button"
            class="button button--small button--quiet"
            aria-label={account.archived ? t.restoreNamed(account.name) : t.archiveNamed(account.name)}
            onClick={() => archive(account, !account.archived)}
          >
            {account.archived ? t.restore : t.archive}
          </button>
          <button type="button" class="button button--small button--quiet button--danger-text" aria-label={t.deleteNamed(account.name)} onClick={() => remove(account)}>
            {t.delete}
          </button>
        </span>
      )}
    </li>
  );

  return (
    <div class="accounts-page">
      <div class="page-head">
        <PageTitle>{t.accounts}</PageTitle>
        {writable && (
          <button type="button" class="button button--primary" onClick={() => setCreating(true)}>
            <span aria-hidden="true">+ </span>
            {t.addAccount}
          </button>
        )}
      </div>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      {accounts.failure && <LoadError failure={accounts.failure} retry={accounts.reload} />}
      <section class="card" aria-labelledby="totals-title">
        <h2 id="totals-title" class="visually-hidden">
          {t.totals}
        </h2>
        <dl class="totals">
          <div class="total">
            <dt>{t.netWorth}</dt>
            <dd data-value={total.toString()}>{fmt(Number(total))}</dd>
          </div>
          <div class="total total--income">
            <dt>{t.assets}</dt>
            <dd>{fmt(Number(assets))}</dd>
          </div>
          <div class="total total--expense">
            <dt>{t.debts}</dt>
            <dd>{fmt(Number(debts))}</dd>
          </div>
        </dl>
      </section>
      <section class="card" aria-labelledby="open-title">
        <h2 id="open-title">{t.openAccounts}</h2>
        <ul class="account-list">{open.map(row)}</ul>
      </section>
      {archived.length > 0 && (
        <section class="card" aria-labelledby="archived-title">
          <h2 id="archived-title">{t.archivedAccounts}</h2>
          <button type="button" class="link-button" aria-expanded={showArchived} onClick={() => setShowArchived(!showArchived)}>
            {showArchived ? t.hide : t.showCount(archived.length)}
          </button>
          {showArchived && <ul class="account-list">{archived.map(row)}</ul>}
        </section>
      )}
      {creating && (
        <AccountDialog
          money={money}
          onClose={() => setCreating(false)}
          onDone={(name) => {
            setCreating(false);
            setSaid({ notice: t.accountAdded(name) });
          }}
        />
      )}
      {billing && (
        <CardBillingDialog
          account={billing}
          onClose={() => setBilling(null)}
          onDone={(name) => {
            setBilling(null);
            setSaid({ notice: t.cardBillingSaved(name) });
          }}
        />
      )}
      {editing && (
        <AccountDialog
          money={money}
          account={editing}
          onClose={() => setEditing(null)}
          onDone={(name) => {
            setEditing(null);
            setSaid({ notice: t.accountRenamed(name) });
          }}
        />
      )}
    </div>
  );
}

function AccountDialog({ money, account, onClose, onDone }: { money: Money; account?: Account; onClose: () => void; onDone: (name: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(account?.name ?? "");
  const [type, setType] = useState<string>(account?.type ?? "bank");
  const [opening, setOpening] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = t.fieldRequired;
    let openingMinor = 0;
    const text = opening.trim();
    if (!account && text) {
      const negative = text.startsWith("-") || text.startsWith("−");
      const parsed = parseAmount(negative ? text.slice(1) : text, money.exponent, money.currency);
      if (parsed.ok) openingMinor = negative ? -parsed.minor : parsed.minor;
      else if (parsed.error !== "zero") found.opening_balance = t.amountInvalid;
    }
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    const outcome = account
      ? await call(() => api.PATCH("/api/v1/accounts/{account_id}", { params: { path: { account_id: account.id } }, body: { name: name.trim() } }))
      : await call(() => api.POST("/api/v1/accounts", { body: { name: name.trim(), type: type as AccountType, opening_balance: openingMinor } }));
    setBusy(false);
    if ("failure" in outcome) {
      const byField = fieldErrors(outcome.failure, t);
      if (outcome.failure.kind === "problem" && outcome.failure.problem?.code === "conflict") byField.name = t.nameTaken;
      setErrors(byField);
      setMessage(failureMessage(outcome.failure, t, { conflict: t.formHasErrors }));
      return;
    }
    await accountsStore.reload();
    onDone(name.trim());
  };
  return (
    <Dialog title={account ? t.renameAccount : t.addAccount} onClose={onClose}>
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit}>
        <Field id="account-name" label={t.name} value={name} onValue={setName} maxLength={100} error={errors.name} autoComplete="off" />
        {!account && (
          <>
            <SelectField id="account-type" label={t.accountType} value={type} onValue={setType} error={errors.type}>
              {TYPES.map((value) => (
                <option key={value} value={value}>
                  {accountTypeName(t, value)}
                </option>
              ))}
            </SelectField>
            <Field
              id="account-opening"
              label={t.openingBalance}
              value={opening}
              onValue={setOpening}
              inputMode="decimal"
              hint={t.openingBalanceHint}
              error={errors.opening_balance}
              autoComplete="off"
            />
          </>
        )}
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {t.save}
        </button>
      </form>
    </Dialog>
  );
}
