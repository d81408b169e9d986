import type { ComponentChildren, JSX } from "preact";

interface FrameProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
}

/** The label, hint and error around one control; the control gets `aria-describedby` from `described`. */
function FieldFrame({ id, label, hint, error, children }: FrameProps & { children: ComponentChildren }) {
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The control's ARIA state for its frame's hint and error, so a screen reader reads them with the field. */
function described({ id, hint, error }: FrameProps) {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return { "aria-invalid": error ? ("true" as const) : undefined, "aria-describedby": ids || undefined };
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onInput" | "label">;

interface FieldProps extends FrameProps, InputProps {
  value: string;
  onValue: (value: string) => void;
}

/** A labelled input whose hint and error are tied to it (aria-describedby). */
export function Field({ id, label, value, onValue, hint, error, ...input }: FieldProps) {
  const frame = { id, label, hint, error };
  return (
    <FieldFrame {...frame}>
      <input id={id} name={id} value={value} onInput={(event) => onValue(event.currentTarget.value)} {...described(frame)} {...input} />
    </FieldFrame>
  );
}

type SelectProps = Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, "id" | "value" | "onChange" | "label">;

interface SelectFieldProps extends FrameProps, SelectProps {
  value: string;
  onValue: (value: string) => void;
  children: ComponentChildren;
}

/** A labelled <select>, with its hint and error tied to it like Field's. */
export function SelectField({ id, label, value, onValue, hint, error, children, ...select }: SelectFieldProps) {
  const frame = { id, label, hint, error };
  return (
    <FieldFrame {...frame}>
      <select id={id} name={id} value={value} onChange={(event) => onValue(event.currentTarget.value)} {...described(frame)} {...select}>
        {children}
      </select>
    </FieldFrame>
  );
}

/** Accounts as the <option>s of a SelectField (the entry form's two account fields, the entries filter). */
export function AccountOptions({ accounts }: { accounts: { id: number; name: string }[] }) {
  return (
    <>
      {accounts.map((a) => (
        <option key={a.id} value={String(a.id)}>
          {a.name}
        </option>
      ))}
    </>
  );
}
