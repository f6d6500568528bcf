/**
 * Entra ID checks: the proxy gets a token for `<D365_URL>/.default`, its `aud` is D365_URL
 * exactly (F&O answers 401 to anything else), how long it stays valid, and how far this
 * machine's clock is from Entra's (the token's `iat`/`exp` against when the proxy received it).
 */
import type { D365Client } from '../../d365/index.js';
import { decodeJwtClaims } from '../../d365/token/audience.js';
import { checks, reason, type CheckResult } from './report.js';

const c = checks('entra');

/** Entra tolerates a few minutes of skew; beyond this, tokens look not-yet-valid or expired. */
export const MAX_CLOCK_SKEW_S = 300;

export async function entraChecks(d365: D365Client | undefined, now: () => number): Promise<CheckResult[]> {
  if (!d365) return [c.info('token', 'skipped: F&O is not configured')];
  let token: string;
  try {
    token = await d365.token.getToken();
  } catch (err) {
    return [
      c.fail(
        'token',
        `no token for ${d365.url}/.default: ${reason(err)}`,
        'check D365_TENANT_ID, D365_CLIENT_ID and the secret or certificate of the app registration, and that it is consented in the tenant',
      ),
    ];
  }
  const out: CheckResult[] = [c.pass('token', `token for ${d365.url}/.default obtained`)];
  const claims = decodeJwtClaims(token) ?? {};
  const aud = Array.isArray(claims.aud) ? claims.aud.join(' ') : String(claims.aud ?? '');
  out.push(
    aud === d365.url
      ? c.pass('audience', `aud is ${aud}, exactly D365_URL`)
      : c.fail(
          'audience',
          `aud is "${aud}" but D365_URL is "${d365.url}": F&O refuses such tokens with 401`,
          'set D365_URL to the environment URL exactly as registered (https, lower case, no trailing slash), or register that URL in the Entra app',
          { detail: { aud, expected: d365.url } },
        ),
  );
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const status = d365.token.status();
  if (exp !== undefined && status.expiresInS !== undefined) {
    const leftS = Math.round((exp - now()) / 1000);
    out.push(
      leftS > 0
        ? c.pass('lifetime', `token valid for ${leftS} s more (refreshed before it expires)`, {
            detail: { expiresInS: leftS },
          })
        : c.fail(
            'lifetime',
            `token expired ${-leftS} s ago by this machine's clock`,
            'sync the clock of this host (NTP)',
          ),
    );
    // exp (Entra's clock) against the expiry the proxy computed from expires_in (ours).
    const skewS = Math.round((exp - (now() + status.expiresInS * 1000)) / 1000);
    out.push(
      Math.abs(skewS) <= MAX_CLOCK_SKEW_S
        ? c.pass('clock', `clock skew against Entra ${skewS} s`, {
            detail: { skewS, iat: claims.iat, exp: claims.exp },
          })
        : c.fail(
            'clock',
            `this machine's clock is ${Math.abs(skewS)} s ${skewS > 0 ? 'behind' : 'ahead of'} Entra's`,
            'sync the clock of this host (NTP); tokens and Salesforce JWTs are refused beyond a few minutes',
            { detail: { skewS } },
          ),
    );
  }
  return out;
}
