/** The app's one auth client and its API clients (one per app: the single flight depends on it). */
import { createApi, createPublicApi } from "./api/client";
import { scopedFetch } from "./api/ledgerScope";
import { AuthClient, browserDeps } from "./auth/session";
import { ledgerScope } from "./ledgers";

export const auth = new AuthClient(browserDeps());
/** The auth client's fetch, with the ledger's paths sent to the chosen ledger (for calls outside `api`: CSV). */
export const ledgerFetch = scopedFetch(auth.fetch, ledgerScope);
export const api = createApi(ledgerFetch);
export const publicApi = createPublicApi();
