import type { ComponentChildren, JSX } from "preact";

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onInput" | "label">;

interface FieldProps extends InputProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
}

/** A labelled input whose hint and error are tied to it (aria-describedby), so a screen reader
 * reads them with the field. */
export function Field({ id, label, value, onValue, hint, error, ...input }: FieldProps) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
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

type SelectProps = Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, "id" | "value" | "onChange" | "label">;

interface SelectFieldProps extends SelectProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  children: ComponentChildren;
}

/** A labelled <select>, with its hint and error tied to it like Field's. */
export function SelectField({ id, label, value, onValue, hint, error, children, ...select }: SelectFieldProps) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={id}
        value={value}
        onChange={(event) => onValue(event.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
        {...select}
      >
        {children}
      </select>
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
