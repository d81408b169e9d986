/** The CSRF double-submit value the refresh call echoes in X-CSRF-TOKEN.
 *
 * The server sets it as a readable cookie (Path=/): `csrf_refresh_token`, or with the production
 * config `__Secure-csrf_refresh_token`. The cookie wins over the copy kept from a response body,
 * because another tab may have rotated it since. */
export const CSRF_COOKIE_NAMES = ["__Secure-csrf_refresh_token", "csrf_refresh_token"] as const;

export function readCsrfCookie(cookieString: string): string | null {
  const jar = new Map<string, string>();
  for (const pair of cookieString.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!jar.has(name)) jar.set(name, pair.slice(eq + 1).trim());
  }
  for (const name of CSRF_COOKIE_NAMES) {
    const value = jar.get(name);
    if (value) {
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return null;
}
