/** `/categories`: the two-level tree by kind; add (a child too), rename, colour, archive; delete with
 * "move its entries to…" (reassign_to). */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { failureMessage, fieldErrors } from "../api/problem";
import { Dialog } from "../components/Dialog";
import { Field, SelectField } from "../components/Field";
import { Alert, LoadError, Loading, Notice } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import { type Category, call, categoriesStore, categoryColor, categoryTree, useCategories } from "../ledger";
import { useCanWrite } from "../ledgers";
import { api } from "../services";

type Kind = "expense" | "income";
type Editing = { mode: "create"; kind: Kind; parent: Category | null } | { mode: "edit"; category: Category };

export default function Categories() {
  const { t } = useI18n();
  const categories = useCategories();
  const [said, setSaid] = useState<{ error: string } | { notice: string } | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Category | null>(null);
  const writable = useCanWrite();
  if (!categories.data) return categories.failure ? <LoadError failure={categories.failure} retry={categories.reload} /> : <Loading />;
  const list = categories.data;

  const archive = async (category: Category, value: boolean) => {
    setSaid(null);
    const outcome = await call(() => api.PATCH("/api/v1/categories/{category_id}", { params: { path: { category_id: category.id } }, body: { archived: value } }));
    if ("failure" in outcome) return setSaid({ error: failureMessage(outcome.failure, t) ?? t.serverError });
    await categoriesStore.reload();
    setSaid({ notice: value ? t.categoryArchived(category.name) : t.categoryRestored(category.name) });
  };

  const item = (category: Category, parent: Category | null) => (
    <div class={category.archived ? "category category--archived" : "category"}>
      <span class="category__name">
        <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
          <circle cx="6" cy="6" r="6" fill={categoryColor(list, category.id)} />
        </svg>
        {category.name}
        {category.archived && <span class="badge">{t.archived}</span>}
      </span>
      {writable && (
        <span class="row-actions">
          {!parent && !category.archived && (
            <button
              type="button"
              class="button button--small button--quiet"
              aria-label={t.addChildTo(category.name)}
              onClick={() => setEditing({ mode: "create", kind: category.kind, parent: category })}
            >
              {t.addChild}
            </button>
          )}
          <button type="button" class="button button--small button--quiet" aria-label={t.editNamed(category.name)} onClick={() => setEditing({ mode: "edit", category })}>
            {t.edit}
          </button>
          <button
            type="button"
            class="button button--small button--quiet"
            aria-label={category.archived ? t.restoreNamed(category.name) : t.archiveNamed(category.name)}
            onClick={() => archive(category, !category.archived)}
          >
            {category.archived ? t.restore : t.archive}
          </button>
          <button type="button" class="button button--small button--quiet button--danger-text" aria-label={t.deleteNamed(category.name)} onClick={() => setDeleting(category)}>
            {t.delete}
          </button>
        </span>
      )}
    </div>
  );

  return (
    <div class="categories-page">
      <PageTitle>{t.categories}</PageTitle>
      {said && ("error" in said ? <Alert>{said.error}</Alert> : <Notice>{said.notice}</Notice>)}
      {categories.failure && <LoadError failure={categories.failure} retry={categories.reload} />}
      {(["expense", "income"] as const).map((kind) => (
        <section key={kind} class="card" aria-labelledby={`${kind}-title`}>
          <div class="section-head">
            <h2 id={`${kind}-title`}>{kind === "expense" ? t.expenseCategories : t.incomeCategories}</h2>
            {writable && (
              <button type="button" class="button button--small" onClick={() => setEditing({ mode: "create", kind, parent: null })}>
                <span aria-hidden="true">+ </span>
                {kind === "expense" ? t.addExpenseCategory : t.addIncomeCategory}
              </button>
            )}
          </div>
          <ul class="category-tree">
            {categoryTree(list, kind).map(({ parent, children }) => (
              <li key={parent.id}>
                {item(parent, null)}
                {children.length > 0 && (
                  <ul class="category-tree__children">
                    {children.map((child) => (
                      <li key={child.id}>{item(child, parent)}</li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {editing && (
        <CategoryDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onDone={(notice) => {
            setEditing(null);
            setSaid({ notice });
          }}
        />
      )}
      {deleting && (
        <DeleteDialog
          category={deleting}
          all={list}
          onClose={() => setDeleting(null)}
          onDone={(notice) => {
            setDeleting(null);
            setSaid({ notice });
          }}
        />
      )}
    </div>
  );
}

function CategoryDialog({ editing, onClose, onDone }: { editing: Editing; onClose: () => void; onDone: (notice: string) => void }) {
  const { t } = useI18n();
  const list = useCategories().data ?? [];
  const existing = editing.mode === "edit" ? editing.category : null;
  const [name, setName] = useState(existing?.name ?? "");
  const [color, setColor] = useState(existing?.color ?? (existing ? categoryColor(list, existing.id) : "#0072b2"));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!name.trim()) {
      setErrors({ name: t.fieldRequired });
      return;
    }
    setBusy(true);
    const outcome = existing
      ? await call(() => api.PATCH("/api/v1/categories/{category_id}", { params: { path: { category_id: existing.id } }, body: { name: name.trim(), color } }))
      : await call(() =>
          api.POST("/api/v1/categories", {
            body: {
              name: name.trim(),
              kind: editing.mode === "create" ? editing.kind : "expense",
              parent_id: editing.mode === "create" ? (editing.parent?.id ?? null) : null,
              color,
            },
          }),
        );
    setBusy(false);
    if ("failure" in outcome) {
      const byField = fieldErrors(outcome.failure, t);
      if (outcome.failure.kind === "problem" && outcome.failure.problem?.code === "conflict") byField.name = t.nameTaken;
      setErrors(byField);
      setMessage(failureMessage(outcome.failure, t, { conflict: t.formHasErrors }));
      return;
    }
    await categoriesStore.reload();
    onDone(existing ? t.categorySaved(name.trim()) : t.categoryCreated(name.trim()));
  };
  const title =
    editing.mode === "edit" ? t.editCategory : editing.parent ? t.addChildTo(editing.parent.name) : editing.kind === "expense" ? t.addExpenseCategory : t.addIncomeCategory;
  return (
    <Dialog title={title} onClose={onClose}>
      {message && <Alert>{message}</Alert>}
      <form noValidate onSubmit={submit}>
        <Field id="category-name" label={t.name} value={name} onValue={setName} maxLength={100} error={errors.name} autoComplete="off" />
        <Field id="category-color" label={t.colour} type="color" value={color} onValue={setColor} error={errors.color} class="input--color" />
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {t.save}
        </button>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ category, all, onClose, onDone }: { category: Category; all: Category[]; onClose: () => void; onDone: (notice: string) => void }) {
  const { t } = useI18n();
  const [target, setTarget] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hasChildren = all.some((c) => c.parent_id === category.id);
  const options = categoryTree(all, category.kind).flatMap(({ parent, children }) =>
    [parent, ...children].filter((c) => c.id !== category.id && c.parent_id !== category.id && !c.archived),
  );
  const label = (c: Category) => {
    const parent = all.find((p) => p.id === c.parent_id);
    return parent ? `${parent.name} › ${c.name}` : c.name;
  };
  const confirm = async () => {
    setBusy(true);
    setMessage(null);
    const query = target ? { reassign_to: Number(target) } : {};
    const outcome = await call(() => api.DELETE("/api/v1/categories/{category_id}", { params: { path: { category_id: category.id }, query } }));
    setBusy(false);
    if ("failure" in outcome) {
      const inUse = outcome.failure.kind === "problem" && outcome.failure.problem?.code === "conflict";
      setMessage(inUse ? (hasChildren ? t.categoryHasChildren : t.categoryInUse) : (failureMessage(outcome.failure, t) ?? t.serverError));
      return;
    }
    await categoriesStore.reload();
    onDone(t.categoryDeleted(category.name));
  };
  return (
    <Dialog title={t.deleteNamed(category.name)} onClose={onClose}>
      {message && <Alert>{message}</Alert>}
      <p>{t.deleteCategoryBody}</p>
      <SelectField id="reassign-to" label={t.moveEntriesTo} value={target} onValue={setTarget} hint={t.moveEntriesHint}>
        <option value="">{t.doNotMove}</option>
        {options.map((c) => (
          <option key={c.id} value={String(c.id)}>
            {label(c)}
          </option>
        ))}
      </SelectField>
      <div class="form-actions">
        <button type="button" class="button" onClick={onClose}>
          {t.cancel}
        </button>
        <button type="button" class="button button--danger" onClick={confirm} disabled={busy}>
          {t.delete}
        </button>
      </div>
    </Dialog>
  );
}
