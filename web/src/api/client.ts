/** The typed API client. Types come from schema.d.ts, generated from the app's /openapi.json
 * (`npm run api`); never edit that file by hand. */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type User = Schemas["User"];
export type Problem = Schemas["Problem"];
export type ProblemCode = Problem["code"];
export type ImportRowError = Schemas["ImportRowError"];
export type ImportRowCode = ImportRowError["codes"][string][number];
export type ApiClient = Client<paths>;

/** Calls that need an access token: `fetch` is the auth client's intercepted path. */
export function createApi(authFetch: (request: Request) => Promise<Response>, baseUrl = ""): ApiClient {
  return createClient<paths>({ baseUrl, fetch: authFetch });
}

/** Calls without a token: register, login, currencies. */
export function createPublicApi(baseUrl = ""): ApiClient {
  return createClient<paths>({ baseUrl, fetch: (request) => fetch(request) });
}
