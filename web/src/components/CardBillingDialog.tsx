/** A credit card's billing cycle (docs/UI.md "Card statements"): an issuer preset fills the payment day and the
 * usage period, each of which stays editable; PATCH /accounts/{id} checks them (422 names the field). */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { failureMessage, fieldErrors } from "../api/problem";
import { useI18n } from "../i18n";
import { type Account, accountsStore, call } from "../ledger";
import { api } from "../services";
import { useResource } from "../useResource";
import { Dialog } from "./Dialog";
import { Field, SelectField } from "./Field";
import { Alert } from "./Message";

const DAYS = /^(?:[1-9]|[12][0-9]|3[01])$/;

export function CardBillingDialog({ account, onClose, onDone }: { account: Account; onClose: () => void; onDone: (name: string) => void }) {
  const { t } = useI18n();
  const billing = account.billing ?? { payment_day: 14, usage_start_day: 1, usage_month_offset: 1 };
  const presets = useResource((signal) => call(() => api.GET("/api/v1/cards/presets", { signal })), []);
  const [preset, setPreset] = useState("");
  const [payDay, setPayDay] = useState(String(billing.payment_day));
  const [startDay, setStartDay] = useState(String(billing.usage_start_day));
  const [offset, setOffset] = useState(String(billing.usage_month_offset));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = (key: string) => {
    setPreset(key);
    const found = presets.data?.items.find((item) => item.key === key);
    if (!found) return;
    setPayDay(String(found.payment_day));
    setStartDay(String(found.usage_start_day));
    setOffset(String(found.usage_month_offset));
    setErrors({});
  };
  // Typing in a field makes the choice a custom one.
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setPreset("");
  };

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!DAYS.test(payDay.trim())) found.payment_day = t.paymentDayHint;
    if (!DAYS.test(startDay.trim())) found.usage_start_day = t.paymentDayHint;
    setErrors(found);
    if (Object.keys(found).length) return setMessage(t.formHasErrors);
    setBusy(true);
    const body = { payment_day: Number(payDay), usage_start_day: Number(startDay), usage_month_offset: Number(offset) };
    const outcome = await call(() => api.PATCH("/api/v1/accounts/{account_id}", { params: { path: { account_id: account.id } }, body }));
    setBusy(false);
    if ("failure" in outcome) {
      setErrors(fieldErrors(outcome.failure, t));
      setMessage(failureMessage(outcome.failure, t));
      return;
    }
    await accountsStore.reload();
    onDone(account.name);
  };

  const summary = DAYS.test(payDay) && DAYS.test(startDay) ? t.cardCycle(Number(startDay), Number(offset), Number(payDay)) : null;
  return (
    <Dialog title={t.cardBillingNamed(account.name)} onClose={onClose}>
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit}>
        <SelectField id="card-preset" label={t.cardPreset} value={preset} onValue={choose} hint={t.cardPresetHint}>
          <option value="">{t.cardPresetCustom}</option>
          {(presets.data?.items ?? []).map((item) => (
            <option key={item.key} value={item.key}>
              {item.name}
            </option>
          ))}
        </SelectField>
        <Field
          id="card-payment-day"
          label={t.paymentDay}
          value={payDay}
          onValue={edit(setPayDay)}
          inputMode="numeric"
          hint={t.paymentDayHint}
          error={errors.payment_day}
          autoComplete="off"
        />
        <Field id="card-usage-start" label={t.usageStartDay} value={startDay} onValue={edit(setStartDay)} inputMode="numeric" error={errors.usage_start_day} autoComplete="off" />
        <SelectField id="card-usage-offset" label={t.usageMonthOffset} value={offset} onValue={edit(setOffset)} error={errors.usage_month_offset}>
          <option value="1">{t.usageOffset(1)}</option>
          <option value="2">{t.usageOffset(2)}</option>
        </SelectField>
        {summary && (
          <p class="hint" role="status">
            {summary}
          </p>
        )}
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {t.save}
        </button>
      </form>
    </Dialog>
  );
}

export default CardBillingDialog;
