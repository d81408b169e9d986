/** The "Split" part of the entry form (docs/UI.md): lines with an amount, a category and a memo, a running
 * remainder ("남은 금액"), "Split evenly" (whole units, largest remainder: splitEvenly) and add/remove line.
 * Every control is a labelled native control, so it is all usable from the keyboard. */
import type { JSX } from "preact";
import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { type Category, categoryTree, type Entry, type Money } from "../ledger";
import { formatMoney, minorToInput, parseAmount } from "../money";
import { splitEvenly } from "../splitEvenly";
import { amountError } from "./EntryForm";

export interface SplitLine {
  amount: string;
  category: string;
  memo: string;
}

export const MAX_LINES = 50;
const emptyLine = (): SplitLine => ({ amount: "", category: "", memo: "" });

/** Two empty lines: what "Split" starts with (the first gets the category chosen so far). */
export function startLines(category: string): SplitLine[] {
  return [{ ...emptyLine(), category }, emptyLine()];
}

export function linesOf(entry: Entry, exponent: number): SplitLine[] {
  return entry.lines.map((line) => ({ amount: minorToInput(line.amount, exponent), category: String(line.category_id), memo: line.memo }));
}

export type LineErrors = Partial<Record<"amount" | "category", string>>[];

/** The lines as the API takes them, or the errors by line (and `sum` when they do not add up to `total`). */
export function checkLines(
  lines: SplitLine[],
  total: number | null,
  money: Money,
  t: Messages,
): { ok: true; lines: Schemas["EntryLineIn"][] } | { ok: false; errors: LineErrors; sum: string | null } {
  const errors: LineErrors = lines.map(() => ({}));
  const parsed: Schemas["EntryLineIn"][] = [];
  let failed = false;
  lines.forEach((line, i) => {
    const amount = parseAmount(line.amount, money.exponent, money.currency);
    const found = errors[i] ?? {};
    if (!amount.ok) found.amount = amountError(amount.error, t, money.exponent);
    if (!line.category) found.category = t.chooseOne;
    if (!amount.ok || !line.category) failed = true;
    parsed.push({ amount: amount.ok ? amount.minor : 0, category_id: Number(line.category), memo: line.memo.trim() });
  });
  const sum = parsed.reduce((a, b) => a + b.amount, 0);
  const sumError = !failed && total !== null && sum !== total ? t.splitSumMismatch : null;
  if (failed || sumError) return { ok: false, errors, sum: sumError };
  return { ok: true, lines: parsed };
}

interface SplitLinesProps {
  lines: SplitLine[];
  onLines: (lines: SplitLine[]) => void;
  /** the entry's amount in minor units, when it parses */
  total: number | null;
  kind: "income" | "expense";
  categories: Category[];
  money: Money;
  errors: LineErrors;
  sumError: string | null;
}

export function SplitLines({ lines, onLines, total, kind, categories, money, errors, sumError }: SplitLinesProps) {
  const { t, lang } = useI18n();
  const entered = lines.map((line) => parseAmount(line.amount, money.exponent, money.currency));
  const sum = entered.reduce((a, p) => a + (p.ok ? p.minor : 0), 0);
  const remainder = total === null ? null : total - sum;
  const show = (minor: number) => formatMoney(minor, money.currency, lang, money.exponent);
  const update = (index: number, field: keyof SplitLine) => (event: JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement>) =>
    onLines(lines.map((line, i) => (i === index ? { ...line, [field]: event.currentTarget.value } : line)));
  const remove = (index: number) => {
    onLines(lines.filter((_, i) => i !== index));
    // Focus stays in the list: on the line that took this one's place, or on "Add line".
    setTimeout(() => document.getElementById(`split-amount-${Math.min(index, lines.length - 2)}`)?.focus() ?? document.getElementById("split-add")?.focus());
  };
  const add = () => {
    onLines([...lines, emptyLine()]);
    setTimeout(() => document.getElementById(`split-amount-${lines.length}`)?.focus());
  };
  const evenly = () => {
    if (total === null) return;
    const shares = splitEvenly(total, lines.length, 10 ** money.exponent);
    onLines(lines.map((line, i) => ({ ...line, amount: minorToInput(shares[i] ?? 0, money.exponent) })));
  };
  const tree = categoryTree(categories, kind);
  const usable = (c: Category, current: string) => !c.archived || String(c.id) === current;

  return (
    <fieldset class="split" aria-describedby="split-remainder">
      <legend>{t.splitLines}</legend>
      <ol class="split__lines">
        {lines.map((line, i) => {
          const n = i + 1;
          const error = errors[i] ?? {};
          return (
            <li key={i} class="split__line">
              <div class={error.amount ? "field field--invalid" : "field"}>
                <label for={`split-amount-${i}`}>{t.splitAmount(n)}</label>
                <input
                  id={`split-amount-${i}`}
                  class="input--amount"
                  value={line.amount}
                  onInput={update(i, "amount")}
                  inputMode={money.exponent ? "decimal" : "numeric"}
                  autoComplete="off"
                  aria-invalid={error.amount ? "true" : undefined}
                  aria-describedby={error.amount ? `split-amount-${i}-error` : undefined}
                />
                {error.amount && (
                  <p id={`split-amount-${i}-error`} class="field-error">
                    {error.amount}
                  </p>
                )}
              </div>
              <div class={error.category ? "field field--invalid" : "field"}>
                <label for={`split-category-${i}`}>{t.splitCategory(n)}</label>
                <select
                  id={`split-category-${i}`}
                  value={line.category}
                  onChange={update(i, "category")}
                  aria-invalid={error.category ? "true" : undefined}
                  aria-describedby={error.category ? `split-category-${i}-error` : undefined}
                >
                  <option value="">{t.choose}</option>
                  {tree.flatMap(({ parent, children }) => [
                    usable(parent, line.category) && (
                      <option key={parent.id} value={String(parent.id)}>
                        {parent.name}
                      </option>
                    ),
                    ...children
                      .filter((c) => usable(c, line.category))
                      .map((c) => (
                        <option key={c.id} value={String(c.id)}>
                          {`${parent.name} › ${c.name}`}
                        </option>
                      )),
                  ])}
                </select>
                {error.category && (
                  <p id={`split-category-${i}-error`} class="field-error">
                    {error.category}
                  </p>
                )}
              </div>
              <div class="field">
                <label for={`split-memo-${i}`}>{t.splitMemo(n)}</label>
                <input id={`split-memo-${i}`} value={line.memo} onInput={update(i, "memo")} maxLength={500} autoComplete="off" />
              </div>
              <button type="button" class="button button--small button--quiet button--danger-text" onClick={() => remove(i)} disabled={lines.length <= 2}>
                {t.splitRemove(n)}
              </button>
            </li>
          );
        })}
      </ol>
      <p id="split-remainder" class={remainder ? "split__remainder split__remainder--off" : "split__remainder"} role="status" aria-live="polite">
        {remainder === null ? t.splitNeedsAmount : remainder === 0 ? t.splitBalanced : t.splitRemainder(show(remainder))}
      </p>
      {sumError && (
        <p class="field-error" role="alert">
          {sumError}
        </p>
      )}
      <div class="actions">
        <button id="split-add" type="button" class="button button--small" onClick={add} disabled={lines.length >= MAX_LINES}>
          {t.splitAdd}
        </button>
        <button type="button" class="button button--small" onClick={evenly} disabled={total === null}>
          {t.splitEvenly}
        </button>
      </div>
    </fieldset>
  );
}
