/** CSV export as a download: the API needs the bearer token, so the file is fetched through the auth
 * client and saved from a Blob (its bytes as sent, BOM included). */
import type { ImportRowError, ProblemCode, Schemas } from "./api/client";
import { isProblem } from "./api/problem";
import { ledgerFetch } from "./services";

export async function downloadCsv(query: URLSearchParams, fileName: string): Promise<boolean> {
  let response: Response;
  try {
    response = await ledgerFetch(new Request(`/api/v1/entries/export.csv?${query}`, { headers: { Accept: "text/csv" } }));
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

/** A refused import: its bad rows (each with the `codes` of its reasons), the file-level problems by their
 * key (`header`, `body`), and the problem `code` (null when the answer was not a problem document). */
export type ImportOutcome =
  | { ok: true; imported: number; createdAccounts: string[]; createdCategories: string[] }
  | { ok: false; rows: ImportRowError[]; file: string[]; code: ProblemCode | null; network?: boolean };

/** POST /entries/import (text/csv), with dry_run first. */
export async function importCsv(text: string, dryRun: boolean): Promise<ImportOutcome> {
  let response: Response;
  try {
    response = await ledgerFetch(
      new Request(`/api/v1/entries/import?dry_run=${dryRun}`, {
        method: "POST",
        headers: { "Content-Type": "text/csv; charset=utf-8" },
        body: text,
      }),
    );
  } catch {
    return { ok: false, rows: [], file: [], code: null, network: true };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body) {
    const result = body as Schemas["ImportResult"];
    return { ok: true, imported: result.imported, createdAccounts: result.created_accounts, createdCategories: result.created_categories };
  }
  if (!isProblem(body)) return { ok: false, rows: [], file: [], code: null };
  const { rows = [], ...file } = (body as Schemas["ImportProblem"]).errors ?? {};
  return { ok: false, rows, file: Object.keys(file), code: body.code };
}
