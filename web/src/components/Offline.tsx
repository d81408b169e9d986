/** What the app says about working offline (docs/UI.md "Offline"): the banner over kept data, the entries not
 * yet sent (and those the server refused, with the reason, to edit or discard), and the new version's offer. */
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { call, categoryLabel, type Entry, useAccounts, useCategories, useMoney } from "../ledger";
import { useLedger } from "../ledgers";
import { formatMoney, minorToInput } from "../money";
import { flushOutbox } from "../offline/app";
import { discard, items, onOutbox, type OutboxItem, replace } from "../offline/outbox";
import { applyUpdate, onUpdate, updateReady } from "../offline/pwa";
import { currentStatus, onStatus } from "../offline/store";
import { api } from "../services";
import { lazy } from "./lazy";

const EntryForm = lazy(() => import("./EntryForm"));

/** "offline — showing data as of HH:MM" while the screen shows data kept on this device. */
export function OfflineBanner() {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState(currentStatus());
  useEffect(() => onStatus(setStatus), []);
  if (!status.offline) return null;
  const time =
    status.asOf === null ? null : new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(status.asOf);
  return (
    <p class="offline-banner" role="status">
      {time === null ? t.offlineNoData : t.offlineAsOf(time)}
    </p>
  );
}

/** "A new version is ready — Reload", once the new service worker waits. */
export function UpdatePrompt() {
  const { t } = useI18n();
  const [ready, setReady] = useState(updateReady());
  useEffect(() => onUpdate(setReady), []);
  if (!ready) return null;
  return (
    <div class="update-prompt" role="status">
      <span>{t.updateReady}</span>
      <button type="button" class="button button--small button--primary" onClick={applyUpdate}>
        {t.updateReload}
      </button>
    </div>
  );
}

/** The chosen ledger's entries written offline: "not yet sent", or refused with the reason. */
export function OutboxPanel() {
  const { t, lang } = useI18n();
  const { ledger } = useLedger();
  const money = useMoney(ledger.currency);
  const categories = useCategories().data ?? [];
  const accounts = useAccounts().data ?? [];
  const [list, setList] = useState<OutboxItem[]>([]);
  const [editing, setEditing] = useState<OutboxItem | null>(null);
  useEffect(() => {
    let live = true;
    // Loads may finish out of order (read-only IndexedDB transactions run side by side): only the newest counts,
    // so an older read taken before an enqueue never hides what was just queued.
    let newest = 0;
    const load = () => {
      const mine = ++newest;
      void items(ledger.id).then((found) => live && mine === newest && setList(found));
    };
    load();
    const stop = onOutbox(load);
    return () => {
      live = false;
      stop();
    };
  }, [ledger.id]);
  if (!list.length && !editing) return null;

  const describe = (item: OutboxItem) => {
    if (item.op === "delete") return t.outboxDelete;
    const body = item.body as Partial<Entry>;
    const what =
      body.type === "transfer"
        ? t.transferBetween(accounts.find((a) => a.id === body.account_id)?.name ?? "", accounts.find((a) => a.id === body.to_account_id)?.name ?? "")
        : categoryLabel(categories, body.category_id ?? null) || t.uncategorised;
    const amount = typeof body.amount === "number" ? formatMoney(body.amount, ledger.currency, lang, money.exponent) : "";
    return [item.op === "update" ? t.outboxEdit : null, body.occurred_on, what, body.memo, amount].filter(Boolean).join(" · ");
  };
  const reason = (item: OutboxItem) => (item.code && item.code in t.problem ? t.problem[item.code as keyof typeof t.problem] : t.serverError);
  // "Keep mine" after a 412: the entry's current version becomes the If-Match, and the change goes again.
  const keepMine = async (item: OutboxItem) => {
    if (item.entryId === null) return;
    const entryId = item.entryId;
    const outcome = await call(() => api.GET("/api/v1/entries/{entry_id}", { params: { path: { entry_id: entryId } } }));
    if ("failure" in outcome) return;
    await replace(item, { ifMatch: outcome.response.headers.get("ETag") });
    void flushOutbox();
  };

  return (
    <section class="card outbox" aria-labelledby="outbox-title">
      <p id="outbox-title" class="outbox__title">
        {t.outboxTitle}
      </p>
      <ul class="outbox__list" aria-label={t.outboxTitle}>
        {list.map((item) => (
          <li key={item.key} class={`outbox__item outbox__item--${item.state}`}>
            <span class="outbox__what">{describe(item)}</span>
            {item.state === "pending" ? (
              <span class="outbox__state">{t.notYetSent}</span>
            ) : item.status === 412 ? (
              <span class="outbox__refused" role="alert">
                <span class="outbox__state">{t.conflictBody}</span>{" "}
                <button type="button" class="button button--small" onClick={() => void discard(item)}>
                  {t.conflictReload}
                </button>
                <button type="button" class="button button--small button--primary" onClick={() => void keepMine(item)}>
                  {t.conflictKeepMine}
                </button>
              </span>
            ) : (
              <span class="outbox__refused">
                <span class="outbox__state">{t.notSent(reason(item))}</span>{" "}
                {item.op !== "delete" && (
                  <button type="button" class="button button--small" onClick={() => setEditing(item)}>
                    {t.edit}
                  </button>
                )}
                <button type="button" class="button button--small button--danger-text" onClick={() => void discard(item)}>
                  {t.discard}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {editing && (
        <EntryForm
          money={money}
          entryId={editing.op === "update" ? (editing.entryId ?? undefined) : undefined}
          initial={editing.op === "create" ? valuesOfBody(editing.body ?? {}, money.exponent) : undefined}
          onSaved={() => {
            const done = editing;
            setEditing(null);
            void discard(done);
          }}
          onQueued={() => {
            const done = editing;
            setEditing(null);
            void discard(done);
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}

/** A queued body as the form's values. */
function valuesOfBody(body: Record<string, unknown>, exponent: number) {
  const id = (value: unknown) => (typeof value === "number" ? String(value) : "");
  return {
    type: body.type as "expense" | "income" | "transfer",
    amount: typeof body.amount === "number" ? minorToInput(body.amount, exponent) : "",
    date: typeof body.occurred_on === "string" ? body.occurred_on : "",
    account: id(body.account_id),
    toAccount: id(body.to_account_id),
    category: id(body.category_id),
    memo: typeof body.memo === "string" ? body.memo : "",
    tags: Array.isArray(body.tags) ? body.tags.join(", ") : "",
  };
}
