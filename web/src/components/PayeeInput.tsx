/** The entry form's payee field: a combobox (ARIA 1.2) over GET /payees?query= (prefix, substring and 초성:
 * "ㅅㅂ" finds 스타벅스), best first. Arrow keys move through the suggestions, Enter takes one, Escape closes them.
 * Whatever is typed is sent as `payee` (a name; the server finds it ignoring case or creates it). */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { call } from "../ledger";
import { api } from "../services";

type Payee = Schemas["Payee"];

interface PayeeInputProps {
  id: string;
  value: string;
  onValue: (value: string) => void;
  /** the entry's payee when editing: its name fills the field once */
  payeeId?: number | null | undefined;
  error?: string | undefined;
}

export function PayeeInput({ id, value, onValue, payeeId, error }: PayeeInputProps) {
  const { t } = useI18n();
  const [items, setItems] = useState<Payee[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = useRef(false);

  useEffect(() => {
    if (payeeId == null) return;
    const controller = new AbortController();
    void call(() => api.GET("/api/v1/payees/{payee_id}", { params: { path: { payee_id: payeeId } }, signal: controller.signal })).then((outcome) => {
      if ("data" in outcome && !typed.current) onValue(outcome.data.name);
    });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per payee, not per render of the parent
  }, [payeeId]);

  useEffect(() => {
    const query = value.trim();
    if (!typed.current || !query) {
      setItems([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      void call(() => api.GET("/api/v1/payees", { params: { query: { query, limit: 8, include_archived: false } }, signal: controller.signal })).then((outcome) => {
        if ("data" in outcome) {
          setItems(outcome.data.items);
          setActive(-1);
        }
      });
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [value]);

  const shown = open && items.length > 0 && !(items.length === 1 && items[0]?.name === value);
  const choose = (payee: Payee) => {
    typed.current = false;
    onValue(payee.name);
    setOpen(false);
    setItems([]);
  };
  const onKeyDown = (event: JSX.TargetedKeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
    } else if (event.key === "Enter" && shown && active >= 0) {
      event.preventDefault();
      const item = items[active];
      if (item) choose(item);
    } else if (event.key === "Escape" && shown) {
      event.stopPropagation(); // the list closes, not the dialog
      setOpen(false);
    }
  };
  const listId = `${id}-list`;
  const described = [`${id}-hint`, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={error ? "field field--invalid payee-input" : "field payee-input"}>
      <label for={id}>{t.payee}</label>
      <input
        id={id}
        name={id}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${id}-option-${active}` : undefined}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described}
        autoComplete="off"
        maxLength={100}
        value={value}
        onInput={(event) => {
          typed.current = true;
          setOpen(true);
          onValue(event.currentTarget.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <ul id={listId} role="listbox" aria-label={t.payeeSuggestions} class="payee-input__list" hidden={!shown}>
        {items.map((payee, index) => (
          <li
            key={payee.id}
            id={`${id}-option-${index}`}
            role="option"
            aria-selected={index === active}
            class={index === active ? "payee-input__option payee-input__option--active" : "payee-input__option"}
            onMouseDown={(event) => {
              event.preventDefault(); // keep the focus in the input
              choose(payee);
            }}
          >
            {payee.name}
          </li>
        ))}
      </ul>
      <p id={`${id}-hint`} class="hint">
        {t.payeeHint}
      </p>
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** "Always put 스타벅스 in 카페?" after an entry is saved, when GET /payees/{id}/suggestion offers it: yes creates
 * the rule (POST /rules), no is remembered (never asked again), not now asks again another time. */
export function PayeeSuggestion({ suggestion, onDone }: { suggestion: Schemas["Suggestion"]; onDone: (notice: string | null) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const accept = async () => {
    setBusy(true);
    const outcome = await call(() =>
      api.POST("/api/v1/rules", {
        body: {
          name: suggestion.payee_name,
          conditions: [{ field: "payee", operator: "is", value: suggestion.payee_name }],
          actions: [{ type: "set_category", value: suggestion.category_id }],
        },
      }),
    );
    setBusy(false);
    if ("failure" in outcome) return setFailed(true);
    onDone(t.suggestionAccepted(suggestion.payee_name, suggestion.category_name));
  };
  const decline = async () => {
    setBusy(true);
    const outcome = await call(() =>
      api.POST("/api/v1/payees/{payee_id}/suggestion/decline", { params: { path: { payee_id: suggestion.payee_id } }, body: { category_id: suggestion.category_id } }),
    );
    setBusy(false);
    if ("failure" in outcome) return setFailed(true);
    onDone(null);
  };
  return (
    <section class="suggestion" aria-labelledby="suggestion-title">
      <h3 id="suggestion-title">{t.suggestionTitle}</h3>
      <p>{t.suggestionAsk(suggestion.payee_name, suggestion.category_name)}</p>
      {failed && <p role="alert">{t.serverError}</p>}
      <div class="form-actions">
        <button type="button" class="button button--primary" disabled={busy} onClick={accept}>
          {t.suggestionYes}
        </button>
        <button type="button" class="button" disabled={busy} onClick={decline}>
          {t.suggestionNo}
        </button>
        <button type="button" class="button button--quiet" disabled={busy} onClick={() => onDone(null)}>
          {t.suggestionLater}
        </button>
      </div>
    </section>
  );
}

/** The suggestion for an entry just saved with a payee, or null (no request without a payee). */
export async function suggestionFor(entry: Schemas["Entry"]): Promise<Schemas["Suggestion"] | null> {
  if (entry.payee_id == null || entry.category_id == null) return null;
  const outcome = await call(() => api.GET("/api/v1/payees/{payee_id}/suggestion", { params: { path: { payee_id: entry.payee_id ?? 0 } } }));
  return "data" in outcome ? (outcome.data.suggestion as Schemas["Suggestion"] | null) : null;
}
