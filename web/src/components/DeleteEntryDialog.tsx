/** "Delete this entry?": the confirmation that the entries list and the dashboard's latest entries share. */
import { useI18n } from "../i18n";
import { Dialog } from "./Dialog";

export function DeleteEntryDialog({ onCancel, onConfirm }: { onCancel: () => void; onConfirm: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t.deleteEntryTitle} onClose={onCancel}>
      <p>{t.deleteEntryBody}</p>
      <div class="form-actions">
        <button type="button" class="button" onClick={onCancel}>
          {t.cancel}
        </button>
        <button type="button" class="button button--danger" onClick={onConfirm}>
          {t.delete}
        </button>
      </div>
    </Dialog>
  );
}

export default DeleteEntryDialog;
