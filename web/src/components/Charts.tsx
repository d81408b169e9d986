/** Small SVG charts of our own. Each draws the API's numbers (every bar carries its `data-value`),
 * names every colour with a label, and has a text alternative (the labelled list or a table). */
import { useI18n } from "../i18n";

export interface Slice {
  id: number | null;
  label: string;
  value: number;
  color: string;
  share?: number | undefined;
}

interface CategoryChartProps {
  slices: Slice[];
  total: number;
  format: (minor: number) => string;
  onPick?: ((id: number | null) => void) | undefined;
  title: string;
  id: string;
}

/** Spending by category: a stacked bar of the whole, then one labelled bar per category. */
export function CategoryChart({ slices, total, format, onPick, title, id }: CategoryChartProps) {
  const { t } = useI18n();
  const max = Math.max(1, ...slices.map((s) => s.value));
  let offset = 0;
  const percent = (value: number) => (total > 0 ? (value / total) * 100 : 0);
  return (
    <div class="category-chart">
      <svg class="stack" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={title} aria-describedby={`${id}-list`} focusable="false">
        {slices.map((s) => {
          const x = offset;
          const w = percent(s.value);
          offset += w;
          return <rect key={s.id ?? "none"} x={x} y={0} width={w} height={8} fill={s.color} data-value={s.value} data-category={s.id ?? ""} />;
        })}
      </svg>
      <ul id={`${id}-list`} class="category-bars">
        {slices.map((s) => {
          const share = s.share !== undefined ? s.share * 100 : percent(s.value);
          const content = (
            <>
              <span class="category-bars__label">
                <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true" focusable="false">
                  <circle cx="5" cy="5" r="5" fill={s.color} />
                </svg>
                {s.label}
              </span>
              <span class="category-bars__amount" data-value={s.value}>
                {format(s.value)}
                <span class="category-bars__share">{` ${t.percent(share)}`}</span>
              </span>
              <svg class="category-bars__bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect x={0} y={0} width={100} height={6} rx={3} class="track" />
                <rect x={0} y={0} width={(s.value / max) * 100} height={6} rx={3} fill={s.color} data-value={s.value} />
              </svg>
            </>
          );
          return (
            <li key={s.id ?? "none"}>
              {onPick ? (
                <button type="button" class="category-bars__item" onClick={() => onPick(s.id)}>
                  {content}
                  <span class="visually-hidden">{t.showEntries}</span>
                </button>
              ) : (
                <div class="category-bars__item">{content}</div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export interface DayValue {
  date: string;
  income: number;
  expense: number;
}

/** Spending by day: one bar per day of the month, with the numbers as a table below. */
export function DayChart({ days, format, formatDay, title, id }: { days: DayValue[]; format: (m: number) => string; formatDay: (d: string) => string; title: string; id: string }) {
  const { t } = useI18n();
  const max = Math.max(1, ...days.map((d) => d.expense));
  const width = 10;
  const height = 60;
  const spent = days.filter((d) => d.expense > 0);
  const top = spent.reduce<DayValue | null>((best, d) => (!best || d.expense > best.expense ? d : best), null);
  return (
    <figure class="day-chart">
      <svg viewBox={`0 0 ${days.length * width} ${height}`} preserveAspectRatio="none" role="img" aria-label={title} aria-describedby={`${id}-summary`} focusable="false">
        <line x1={0} x2={days.length * width} y1={height - 0.5} y2={height - 0.5} class="axis" />
        {days.map((d, i) => {
          const h = d.expense > 0 ? Math.max(1.5, (d.expense / max) * (height - 4)) : 0;
          return <rect key={d.date} class="day-bar" x={i * width + 1.5} y={height - h} width={width - 3} height={h} rx={1.5} data-value={d.expense} data-date={d.date} />;
        })}
      </svg>
      <figcaption id={`${id}-summary`} class="hint">
        {top ? t.daySummary(spent.length, formatDay(top.date), format(top.expense)) : t.noSpending}
      </figcaption>
      {spent.length > 0 && (
        <details class="as-table">
          <summary>{t.showAsTable}</summary>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t.date}</th>
                <th scope="col" class="num">
                  {t.expenses}
                </th>
                <th scope="col" class="num">
                  {t.income}
                </th>
              </tr>
            </thead>
            <tbody>
              {days
                .filter((d) => d.expense || d.income)
                .map((d) => (
                  <tr key={d.date}>
                    <th scope="row">{formatDay(d.date)}</th>
                    <td class="num">{format(d.expense)}</td>
                    <td class="num">{format(d.income)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}

export interface TrendValue {
  month: string;
  income: number;
  expense: number;
  net: number;
}

/** Income and expense per month side by side, the net as a line; the table is the text alternative. */
export function TrendChart({
  items,
  format,
  formatMonthShort,
  title,
  id,
}: {
  items: TrendValue[];
  format: (m: number) => string;
  formatMonthShort: (m: string) => string;
  title: string;
  id: string;
}) {
  const { t } = useI18n();
  const max = Math.max(1, ...items.flatMap((i) => [i.income, i.expense, Math.abs(i.net)]));
  const minNet = Math.min(0, ...items.map((i) => i.net));
  const height = 120;
  const zero = minNet < 0 ? height * (max / (max - minNet)) : height;
  const scale = (v: number) => (v / (max - minNet)) * height;
  const step = 24;
  const line = items.map((i, n) => `${n * step + step / 2},${zero - scale(i.net)}`).join(" ");
  return (
    <figure class="trend-chart">
      <div class="legend" aria-hidden="true">
        <span class="legend__item legend__item--income">{t.income}</span>
        <span class="legend__item legend__item--expense">{t.expenses}</span>
        <span class="legend__item legend__item--net">{t.net}</span>
      </div>
      <svg viewBox={`0 0 ${items.length * step} ${height}`} preserveAspectRatio="none" role="img" aria-label={title} aria-describedby={`${id}-table`} focusable="false">
        <line x1={0} x2={items.length * step} y1={zero} y2={zero} class="axis" />
        {items.map((i, n) => (
          <g key={i.month}>
            <rect class="bar-income" x={n * step + 3} y={zero - scale(i.income)} width={8} height={scale(i.income)} data-value={i.income} data-month={i.month} />
            <rect class="bar-expense" x={n * step + 12} y={zero - scale(i.expense)} width={8} height={scale(i.expense)} data-value={i.expense} data-month={i.month} />
          </g>
        ))}
        {items.length > 1 && <polyline class="net-line" points={line} fill="none" />}
      </svg>
      <div class="table-scroll">
        <table id={`${id}-table`} class="table">
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t.month}</th>
              <th scope="col" class="num">
                {t.income}
              </th>
              <th scope="col" class="num">
                {t.expenses}
              </th>
              <th scope="col" class="num">
                {t.net}
              </th>
            </tr>
          </thead>
          <tbody>
            {[...items].reverse().map((i) => (
              <tr key={i.month}>
                <th scope="row">{formatMonthShort(i.month)}</th>
                <td class="num" data-value={i.income}>
                  {format(i.income)}
                </td>
                <td class="num" data-value={i.expense}>
                  {format(i.expense)}
                </td>
                <td class={i.net < 0 ? "num negative" : "num"} data-value={i.net}>
                  {format(i.net)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** A budget's progress: red past 100 %. */
export function Progress({ spent, amount, label }: { spent: number; amount: number; label: string }) {
  const ratio = amount > 0 ? spent / amount : 0;
  const over = ratio > 1;
  return (
    <svg
      class={over ? "progress progress--over" : ratio > 0.85 ? "progress progress--near" : "progress"}
      viewBox="0 0 100 8"
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-value={spent}
      data-limit={amount}
      focusable="false"
    >
      <rect x={0} y={0} width={100} height={8} rx={4} class="track" />
      <rect x={0} y={0} width={Math.min(1, ratio) * 100} height={8} rx={4} class="fill" />
    </svg>
  );
}
