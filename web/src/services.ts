/** The app's one auth client and its API clients (one per app: the single flight depends on it). */
import { createApi, createPublicApi } from "./api/client";
import { scopedFetch } from "./api/ledgerScope";
import { AuthClient, browserDeps, SignedOutError } from "./auth/session";
import { ledgerScope } from "./ledgers";
import { keepingFetch } from "./offline/store";

export const auth = new AuthClient(browserDeps());
/** The auth client's fetch, with the ledger's paths sent to the chosen ledger (for calls outside `api`: CSV);
 * a ledger's GET answers are kept on this device and answer for the server when it can't be reached. */
export const ledgerFetch = scopedFetch(
  keepingFetch(auth.fetch, (error) => error instanceof SignedOutError),
  ledgerScope,
);
export const api = createApi(ledgerFetch);
export const publicApi = createPublicApi();
