/** "Delete this entry?": the confirmation, and the DELETE itself, shared by the entries list and the dashboard's
 * latest entries. The dialog closes when the server has answered; the screen is told what happened. */
import type { Failure } from "../api/problem";
import { useI18n } from "../i18n";
import { call, type Entry, newKey } from "../ledger";
import { useLedger } from "../ledgers";
import { flushOutbox } from "../offline/app";
import { enqueue } from "../offline/outbox";
import { api } from "../services";
import { Dialog } from "./Dialog";

interface DeleteEntryDialogProps {
  entry: Entry;
  onClose: () => void;
  onDeleted: (id: number) => void;
  onFailed: (failure: Failure) => void;
}

export function DeleteEntryDialog({ entry, onClose, onDeleted, onFailed }: DeleteEntryDialogProps) {
  const { t } = useI18n();
  const ledgerId = useLedger().ledger.id;
  const confirm = async () => {
    const id = entry.id;
    if (!id) return;
    const outcome = await call(() => api.DELETE("/api/v1/entries/{entry_id}", { params: { path: { entry_id: id } } }));
    onClose();
    if ("failure" in outcome && outcome.failure.kind === "network" && navigator.onLine === false) {
      // offline: the deletion waits in the outbox (offline/outbox.ts) and is sent when the network is back
      const queued = await enqueue({ key: newKey(), ledgerId, op: "delete", entryId: id, ifMatch: null, body: null }).then(
        () => true,
        () => false,
      );
      if (queued) {
        void flushOutbox();
        return;
      }
    }
    if ("failure" in outcome) onFailed(outcome.failure);
    else onDeleted(id);
  };
  return (
    <Dialog title={t.deleteEntryTitle} onClose={onClose}>
      <p>{t.deleteEntryBody}</p>
      <div class="form-actions">
        <button type="button" class="button" onClick={onClose}>
          {t.cancel}
        </button>
        <button type="button" class="button button--danger" onClick={confirm}>
          {t.delete}
        </button>
      </div>
    </Dialog>
  );
}

export default DeleteEntryDialog;
