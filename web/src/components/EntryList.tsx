/** Entries as a list: one row per entry (a card on a phone) with date, category, memo and amount. */
import { formatDate, useI18n } from "../i18n";
import { type Account, type Category, categoryColor, categoryLabel, type Entry, type Money } from "../ledger";
import { formatMoney } from "../money";

interface EntryListProps {
  entries: Entry[];
  accounts: Account[];
  categories: Category[];
  money: Money;
  onEdit?: ((entry: Entry) => void) | undefined;
  onDelete?: ((entry: Entry) => void) | undefined;
  label: string;
  /** newer entries are loading: these stay, dimmed, until they come */
  busy?: boolean;
}

export function EntryList({ entries, accounts, categories, money, onEdit, onDelete, label, busy = false }: EntryListProps) {
  const { t, lang } = useI18n();
  const accountName = (id: number | null) => accounts.find((a) => a.id === id)?.name ?? "";
  return (
    <ul class="entries" aria-label={label} aria-busy={busy || undefined}>
      {entries.map((entry) => {
        const transfer = entry.type === "transfer";
        const what = transfer
          ? t.transferBetween(accountName(entry.account_id), accountName(entry.to_account_id))
          : categoryLabel(categories, entry.category_id) || t.uncategorised;
        const sign = entry.type === "income" ? "+" : entry.type === "expense" ? "−" : "";
        const amount = formatMoney(entry.amount, entry.currency, lang, money.exponent);
        return (
          <li key={entry.id} class={`entry entry--${entry.type}`}>
            <span class="entry__swatch" aria-hidden="true">
              <svg viewBox="0 0 10 10" width="10" height="10" focusable="false">
                <circle cx="5" cy="5" r="5" fill={transfer ? "#8a948f" : categoryColor(categories, entry.category_id)} />
              </svg>
            </span>
            <span class="entry__date">{formatDate(entry.occurred_on, lang)}</span>
            <span class="entry__what">
              <span class="entry__category">{what}</span>
              {entry.memo && <span class="entry__memo">{entry.memo}</span>}
              <span class="entry__meta">
                {transfer ? null : accountName(entry.account_id)}
                {entry.tags.map((tag) => (
                  <span key={tag} class="tag">
                    #{tag}
                  </span>
                ))}
              </span>
            </span>
            <span class="entry__amount" data-value={entry.amount}>
              <span class="visually-hidden">{entry.type === "income" ? t.typeIncome : entry.type === "transfer" ? t.typeTransfer : t.typeExpense} </span>
              <span aria-hidden="true">{sign}</span>
              {amount}
            </span>
            {(onEdit || onDelete) && (
              <span class="entry__actions">
                {onEdit && (
                  <button type="button" class="button button--small button--quiet" onClick={() => onEdit(entry)}>
                    {t.edit}
                  </button>
                )}
                {onDelete && (
                  <button type="button" class="button button--small button--quiet button--danger-text" onClick={() => onDelete(entry)}>
                    {t.delete}
                  </button>
                )}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
