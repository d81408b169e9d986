/** CSV export as a download: the API needs the bearer token, so the file is fetched through the auth
 * client and saved from a Blob (its bytes as sent, BOM included). */
import { auth } from "./services";

export async function downloadCsv(query: URLSearchParams, fileName: string): Promise<boolean> {
  let response: Response;
  try {
    response = await auth.fetch(new Request(`/api/v1/entries/export.csv?${query}`, { headers: { Accept: "text/csv" } }));
  } catch {
    return false;
  }
  if (!response.ok) return false;
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}

export interface ImportRowError {
  line: number;
  errors: Record<string, string[]>;
}

export type ImportOutcome =
  | { ok: true; imported: number; createdAccounts: string[]; createdCategories: string[] }
  | { ok: false; rows: ImportRowError[]; general: string[]; detail: string | null; network?: boolean };

/** POST /entries/import (text/csv), with dry_run first. */
export async function importCsv(text: string, dryRun: boolean): Promise<ImportOutcome> {
  let response: Response;
  try {
    response = await auth.fetch(
      new Request(`/api/v1/entries/import?dry_run=${dryRun}`, {
        method: "POST",
        headers: { "Content-Type": "text/csv; charset=utf-8" },
        body: text,
      }),
    );
  } catch {
    return { ok: false, rows: [], general: [], detail: null, network: true };
  }
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok && body) {
    return {
      ok: true,
      imported: Number(body.imported ?? 0),
      createdAccounts: (body.created_accounts as string[] | undefined) ?? [],
      createdCategories: (body.created_categories as string[] | undefined) ?? [],
    };
  }
  const errors = (body?.errors ?? {}) as Record<string, unknown>;
  const rows = Array.isArray(errors.rows) ? (errors.rows as ImportRowError[]) : [];
  const general = Object.entries(errors)
    .filter(([key]) => key !== "rows")
    .flatMap(([, value]) => (Array.isArray(value) ? value.map(String) : [String(value)]));
  return { ok: false, rows, general, detail: typeof body?.detail === "string" ? body.detail : null };
}
