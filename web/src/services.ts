/** The app's one auth client and its API clients (one per app: the single flight depends on it). */
import { createApi, createPublicApi } from "./api/client";
import { AuthClient, browserDeps } from "./auth/session";

export const auth = new AuthClient(browserDeps());
export const api = createApi(auth.fetch);
export const publicApi = createPublicApi();
