/** 할부 in the entry form: shown only for an expense on a credit card (docs/UI.md "Card statements"). */
import { useI18n } from "../i18n";
import type { Account } from "../ledger";
import { SelectField } from "./Field";

const MONTHS = Array.from({ length: 35 }, (_, i) => i + 2); // 2..36

/** Whether the entry can have installments: an expense on a credit card. */
export function takesInstallments(type: string, accountId: string, accounts: Account[]): boolean {
  return type === "expense" && accounts.some((a) => String(a.id) === accountId && a.type === "credit_card");
}

/** What the entry sends: the months when it takes installments, else null (일시불). */
export function installmentMonths(shown: boolean, value: string): number | null {
  return shown && value ? Number(value) : null;
}

export function InstallmentField({ value, onValue, error }: { value: string; onValue: (value: string) => void; error?: string | undefined }) {
  const { t } = useI18n();
  return (
    <SelectField id="entry-installments" label={t.installments} value={value} onValue={onValue} hint={t.installmentsHint} error={error}>
      <option value="">{t.paidAtOnce}</option>
      {MONTHS.map((n) => (
        <option key={n} value={String(n)}>
          {t.monthsCount(n)}
        </option>
      ))}
    </SelectField>
  );
}
