/** Reads (never verifies: the server does) the claims the client needs from an access token. */
export interface AccessClaims {
  sub?: string;
  sid?: number;
  exp?: number;
  iat?: number;
}

export function readClaims(token: string): AccessClaims {
  const part = token.split(".")[1];
  if (!part) return {};
  try {
    const base64 = part
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(part.length / 4) * 4, "=");
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null ? (claims as AccessClaims) : {};
  } catch {
    return {};
  }
}
