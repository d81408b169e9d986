/** Entries as a list: one row per entry (a card on a phone) with date, category, memo and amount. */
import { useContext, useEffect } from "preact/hooks";
import { useMe } from "../data";
import { formatDate, useI18n } from "../i18n";
import { type Account, type Category, categoryColor, categoryLabel, type Entry, membersStore, type Money } from "../ledger";
import { LedgerContext } from "../ledgers";
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
  // Who added an entry matters once the ledger is kept by more than one person (or was: an entry by someone
  // else shows it even before this tab has heard of a new member).
  const me = useMe().data?.id;
  const shared = (useContext(LedgerContext)?.ledger.member_count ?? 1) > 1 || entries.some((e) => e.created_by !== me);
  return (
    <ul class="entries" aria-label={label} aria-busy={busy || undefined}>
      {entries.map((entry) => {
        const transfer = entry.type === "transfer";
        const what = transfer
          ? t.transferBetween(accountName(entry.account_id), accountName(entry.to_account_id))
          : entry.lines.length
            ? `${t.splitCount(entry.lines.length)} · ${[...new Set(entry.lines.map((line) => categoryLabel(categories, line.category_id) || t.uncategorised))].join(", ")}`
            : categoryLabel(categories, entry.category_id) || t.uncategorised;
        const sign = entry.type === "income" ? "+" : entry.type === "expense" ? "−" : "";
        const amount = formatMoney(entry.amount, entry.currency, lang, money.exponent);
        return (
          <li key={entry.id} class={`entry entry--${entry.type}`}>
            <span class="entry__swatch" aria-hidden="true">
              <svg viewBox="0 0 10 10" width="10" height="10" focusable="false">
                <circle cx="5" cy="5" r="5" fill={transfer ? "#8a948f" : categoryColor(categories, entry.category_id ?? entry.lines[0]?.category_id ?? null)} />
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
              {shared && <Author userId={entry.created_by} />}
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

const asked = new Set<number>();

/** "Added by Minji"; a removed member or a deleted account is "a former member". */
function Author({ userId }: { userId: number | null }) {
  const { t } = useI18n();
  const members = membersStore.use();
  const name = members.data?.find((m) => m.user_id === userId)?.display_name;
  const unknown = members.data !== undefined && name === undefined && userId !== null;
  useEffect(() => {
    // Someone who joined after the members were loaded: ask once more before calling them a former member.
    if (unknown && !asked.has(userId)) {
      asked.add(userId);
      void membersStore.reload();
    }
  }, [unknown, userId]);
  if (members.data === undefined) return null;
  return <span class="entry__author">{name ? t.addedBy(name) : t.addedByFormer}</span>;
}
