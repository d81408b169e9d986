/** `/entries`: a month's entries, filters kept in the URL, keyset "Load more", add/edit/delete. */
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { type Failure, failureMessage } from "../api/problem";
import { DeleteEntryDialog } from "../components/DeleteEntryDialog";
import { amountError, EntryForm } from "../components/EntryForm";
import { EntryList } from "../components/EntryList";
import { AccountOptions, Field, SelectField } from "../components/Field";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { MonthNav } from "../components/MonthNav";
import { NEW_ENTRY_EVENT } from "../components/TabBar";
import { onOutbox } from "../offline/outbox";
import { PageTitle } from "../components/PageTitle";
import { WithMoney } from "../components/WithMoney";
import { downloadCsv } from "../csv";
import { formatMonthLabel, useI18n } from "../i18n";
import { accountsStore, call, categoryTree, type Entry, type Money, useAccounts, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { minorToInput, parseAmount } from "../money";
import { formatMonth, monthOf, parseMonth, type YearMonth } from "../months";
import { navigate, useLocation } from "../router";
import { api } from "../services";
import { useResource } from "../useResource";

const FILTERS = ["type", "account_id", "category_id", "tag", "q", "min_amount", "max_amount"] as const;

/** The API's query for the list (and the export) from the page's URL. */
export function entryQuery(query: URLSearchParams, month: YearMonth): Record<string, string | number> {
  const out: Record<string, string | number> = { month: formatMonth(month) };
  for (const name of FILTERS) {
    const value = query.get(name);
    if (!value) continue;
    out[name] = ["account_id", "category_id", "min_amount", "max_amount"].includes(name) ? Number(value) : value;
  }
  return out;
}

export default function Entries() {
  return <WithMoney>{(money, ledger) => <EntriesView money={money} startDay={ledger.month_start_day} />}</WithMoney>;
}

interface Page {
  items: Entry[];
  cursor: string | null;
}

function EntriesView({ money, startDay }: { money: Money; startDay: number }) {
  const { t, lang } = useI18n();
  const { query } = useLocation();
  const current = monthOf(new Date(), startDay);
  const month = parseMonth(query.get("month")) ?? current;
  const queryKey = JSON.stringify(entryQuery(query, month));
  // One object while the query stays the same: the list loads again only when the query changed.
  const apiQuery = useMemo(() => JSON.parse(queryKey) as ReturnType<typeof entryQuery>, [queryKey]);
  const accounts = useAccounts();
  const categories = useCategories();
  // The last list stays on screen (marked busy) while another month or filter loads.
  const list = useResource<Page>(
    async (signal) => {
      const outcome = await call(() => api.GET("/api/v1/entries", { params: { query: { ...apiQuery, limit: 50 } }, signal }));
      return "data" in outcome ? { data: { items: outcome.data.items, cursor: outcome.data.next_cursor } } : outcome;
    },
    [apiQuery],
  );
  // What a Load more or a Delete could not do (the list itself stays).
  const [actionFailure, setActionFailure] = useState<Failure | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState<{ id?: number } | null>(null);
  const [deleting, setDeleting] = useState<Entry | null>(null);
  const items = list.data?.items;
  const cursor = list.data?.cursor ?? null;

  // The tab bar's "+" (here, or /entries?new=1 from another screen), and entries written offline that reached
  // the server.
  useEffect(() => {
    const open = () => {
      setNotice(null);
      setForm({});
    };
    window.addEventListener(NEW_ENTRY_EVENT, open);
    return () => window.removeEventListener(NEW_ENTRY_EVENT, open);
  }, []);
  const opening = query.has("new");
  useEffect(() => {
    if (!opening) return;
    setForm({});
    const next = new URLSearchParams(location.search);
    next.delete("new");
    navigate(`/entries${next.toString() ? `?${next}` : ""}`, { replace: true });
  }, [opening]);
  const { reload } = list;
  useEffect(() => onOutbox(reload), [reload]);

  const loadMore = async () => {
    if (!cursor) return;
    setMoreBusy(true);
    setActionFailure(null);
    const outcome = await call(() => api.GET("/api/v1/entries", { params: { query: { ...apiQuery, limit: 50, cursor } } }));
    setMoreBusy(false);
    if ("data" in outcome) list.mutate((page) => ({ items: [...(page?.items ?? []), ...outcome.data.items], cursor: outcome.data.next_cursor }));
    else setActionFailure(outcome.failure);
  };

  const setQuery = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(query);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const text = next.toString();
    navigate(`/entries${text ? `?${text}` : ""}`);
  };

  const saved = (_entry: Entry, created: boolean) => {
    setForm(null);
    setNotice(created ? t.entryAdded : t.entrySaved);
    list.reload();
    void accountsStore.reload();
  };

  const deleted = (id: number) => {
    list.mutate((page) => page && { ...page, items: page.items.filter((e) => e.id !== id) });
    setNotice(t.entryDeleted);
    void accountsStore.reload();
  };

  const exportCsv = async () => {
    const params = new URLSearchParams(Object.entries(apiQuery).map(([k, v]) => [k, String(v)]));
    const ok = await downloadCsv(params, `ledger-${formatMonth(month)}.csv`);
    if (!ok) setNotice(t.exportFailed);
  };

  const writable = useCanWrite();
  const filtered = FILTERS.some((name) => query.get(name));
  const accountList = accounts.data ?? [];
  const categoryList = categories.data ?? [];

  return (
    <div class="entries-page">
      <div class="page-head">
        <div>
          <PageTitle>{t.entries}</PageTitle>
          <p class="page-sub">{formatMonthLabel(month.year, month.month, lang)}</p>
        </div>
        <MonthNav month={month} current={current} onMonth={(m) => setQuery({ month: formatMonth(m) === formatMonth(current) ? null : formatMonth(m) })} />
      </div>
      <div class="toolbar">
        {writable && (
          <button type="button" class="button button--primary add-entry" onClick={() => setForm({})}>
            <span aria-hidden="true">+ </span>
            {t.addEntry}
          </button>
        )}
        <button type="button" class="button" onClick={exportCsv}>
          {t.exportCsv}
        </button>
      </div>
      <Filters query={query} money={money} setQuery={setQuery} open={filtered} accounts={accountList} categories={categoryList} />
      {notice && <Notice>{notice}</Notice>}
      {list.failure && <LoadError failure={list.failure} retry={list.reload} />}
      {actionFailure && <Alert>{failureMessage(actionFailure, t) ?? t.serverError}</Alert>}
      {items === undefined ? (
        list.loading && <Loading />
      ) : items.length === 0 ? (
        <p class="empty card">{filtered ? t.noMatches : t.noEntriesThisMonth}</p>
      ) : (
        <EntryList
          entries={items}
          busy={list.loading}
          accounts={accountList}
          categories={categoryList}
          money={money}
          label={t.entriesOf(formatMonthLabel(month.year, month.month, lang))}
          onEdit={
            writable
              ? (entry) => {
                  setNotice(null);
                  setForm({ id: entry.id });
                }
              : undefined
          }
          onDelete={
            writable
              ? (entry) => {
                  setNotice(null);
                  setDeleting(entry);
                }
              : undefined
          }
        />
      )}
      {cursor && (
        <div class="load-more">
          <button type="button" class="button" onClick={loadMore} disabled={moreBusy}>
            {moreBusy ? t.loading : t.loadMore}
          </button>
        </div>
      )}
      {form && (
        <EntryForm
          money={money}
          entryId={form.id}
          initial={query.get("type") && query.get("type") !== "transfer" ? { type: query.get("type") as "income" | "expense" } : undefined}
          onSaved={saved}
          onQueued={() => {
            setForm(null);
            setNotice(t.entryQueued);
          }}
          onClose={() => setForm(null)}
        />
      )}
      {deleting && <DeleteEntryDialog entry={deleting} onClose={() => setDeleting(null)} onDeleted={deleted} onFailed={setActionFailure} />}
    </div>
  );
}

/** An amount filter of the URL (minor units) as the field shows it. */
function amountInput(query: URLSearchParams, name: string, exponent: number): string {
  const value = query.get(name);
  return value && /^\d+$/.test(value) ? minorToInput(Number(value), exponent) : "";
}

interface FiltersProps {
  query: URLSearchParams;
  money: Money;
  setQuery: (changes: Record<string, string | null>) => void;
  open: boolean;
  accounts: { id: number; name: string; archived: boolean }[];
  categories: Parameters<typeof categoryTree>[0];
}

function Filters({ query, money, setQuery, open, accounts, categories }: FiltersProps) {
  const { t } = useI18n();
  const asInput = (name: string) => amountInput(query, name, money.exponent);
  const [type, setType] = useState(query.get("type") ?? "");
  const [account, setAccount] = useState(query.get("account_id") ?? "");
  const [category, setCategory] = useState(query.get("category_id") ?? "");
  const [tag, setTag] = useState(query.get("tag") ?? "");
  const [q, setQ] = useState(query.get("q") ?? "");
  const [min, setMin] = useState(asInput("min_amount"));
  const [max, setMax] = useState(asInput("max_amount"));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The fields follow the URL (Back in the browser, a link from the dashboard, Clear).
  const key = query.toString();
  useEffect(() => {
    const shown = new URLSearchParams(key);
    setType(shown.get("type") ?? "");
    setAccount(shown.get("account_id") ?? "");
    setCategory(shown.get("category_id") ?? "");
    setTag(shown.get("tag") ?? "");
    setQ(shown.get("q") ?? "");
    setMin(amountInput(shown, "min_amount", money.exponent));
    setMax(amountInput(shown, "max_amount", money.exponent));
  }, [key, money.exponent]);

  const amount = (text: string, field: string, found: Record<string, string>) => {
    if (!text.trim()) return null;
    const parsed = parseAmount(text, money.exponent, money.currency);
    if (parsed.ok) return String(parsed.minor);
    found[field] = amountError(parsed.error, t, money.exponent);
    return null;
  };

  const apply = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const minValue = amount(min, "min", found);
    const maxValue = amount(max, "max", found);
    setErrors(found);
    if (Object.keys(found).length) return;
    setQuery({ type, account_id: account, category_id: category, tag: tag.trim(), q: q.trim(), min_amount: minValue, max_amount: maxValue });
  };
  const clear = () => {
    setQuery(Object.fromEntries(FILTERS.map((n) => [n, null])));
  };
  const tree = categoryTree(categories).filter(({ parent }) => !type || type === "transfer" || parent.kind === type);

  return (
    <details class="filters card" open={open}>
      <summary>{t.filters}</summary>
      <form noValidate onSubmit={apply} class="filters__form">
        <SelectField id="filter-type" label={t.type} value={type} onValue={setType}>
          <option value="">{t.allTypes}</option>
          <option value="expense">{t.typeExpense}</option>
          <option value="income">{t.typeIncome}</option>
          <option value="transfer">{t.typeTransfer}</option>
        </SelectField>
        <SelectField id="filter-account" label={t.account} value={account} onValue={setAccount}>
          <option value="">{t.allAccounts}</option>
          <AccountOptions accounts={accounts} />
        </SelectField>
        <SelectField id="filter-category" label={t.category} value={category} onValue={setCategory}>
          <option value="">{t.allCategories}</option>
          {tree.flatMap(({ parent, children }) => [
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
        <Field id="filter-tag" label={t.tag} value={tag} onValue={setTag} autoComplete="off" />
        <Field id="filter-q" label={t.searchMemo} type="search" value={q} onValue={setQ} autoComplete="off" />
        <Field id="filter-min" label={t.minAmount} value={min} onValue={setMin} inputMode="decimal" autoComplete="off" error={errors.min} />
        <Field id="filter-max" label={t.maxAmount} value={max} onValue={setMax} inputMode="decimal" autoComplete="off" error={errors.max} />
        <div class="form-actions filters__actions">
          <button type="submit" class="button button--primary">
            {t.applyFilters}
          </button>
          <button type="button" class="button button--quiet" onClick={clear}>
            {t.clearFilters}
          </button>
        </div>
      </form>
    </details>
  );
}
