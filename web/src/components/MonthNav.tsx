/** Previous month / Next month (docs/UI.md), and a way back to the current month. */
import { formatMonthLabel, useI18n } from "../i18n";
import { formatMonth, shiftMonth, type YearMonth } from "../months";

export function MonthNav({ month, current, onMonth }: { month: YearMonth; current: YearMonth; onMonth: (m: YearMonth) => void }) {
  const { t, lang } = useI18n();
  const isCurrent = formatMonth(month) === formatMonth(current);
  return (
    <div class="month-nav" role="group" aria-label={t.monthLabel(formatMonthLabel(month.year, month.month, lang))}>
      <button type="button" class="button button--icon-text" onClick={() => onMonth(shiftMonth(month, -1))}>
        <span aria-hidden="true">‹</span>
        <span class="month-nav__text">{t.previousMonth}</span>
      </button>
      {!isCurrent && (
        <button type="button" class="button button--quiet" onClick={() => onMonth(current)}>
          {t.currentMonth}
        </button>
      )}
      <button type="button" class="button button--icon-text" onClick={() => onMonth(shiftMonth(month, 1))}>
        <span class="month-nav__text">{t.nextMonth}</span>
        <span aria-hidden="true">›</span>
      </button>
    </div>
  );
}
