/**
 * F&O rejects a token whose `aud` is not the environment URL, lower case, without trailing
 * slash (d365.md §5). We decode (not verify — F&O does that) our own token's claims to catch
 * a misconfigured D365_URL before F&O answers 401 to every call.
 */
export function normaliseD365Url(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const u = new URL(trimmed);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError('D365_URL must be http(s)');
  return trimmed.toLowerCase();
}

export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = Buffer.from(part, 'base64url').toString('utf8');
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface AudienceCheck {
  ok: boolean;
  expected: string;
  actual: string | undefined;
}

export function audienceCheck(token: string, d365Url: string): AudienceCheck {
  const expected = normaliseD365Url(d365Url);
  const aud = decodeJwtClaims(token)?.aud;
  const actual = Array.isArray(aud) ? aud.map(String).join(' ') : typeof aud === 'string' ? aud : undefined;
  // `aud` must equal the URL exactly; a trailing slash or upper case is what F&O refuses.
  return { ok: actual === expected, expected, actual };
}
