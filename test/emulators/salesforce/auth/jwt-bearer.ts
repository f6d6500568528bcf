import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';

/**
 * OAuth 2.0 JWT bearer grant checks, in the order Salesforce reports them (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration").
 * Error bodies are `{ error, error_description }` with HTTP 400.
 */

export interface OAuthError {
  status: number;
  error: string;
  error_description: string;
}

export interface JwtBearerConfig {
  consumerKey: string;
  /** Login URLs accepted as `aud` (the emulator URL plus login/test.salesforce.com). */
  audiences: string[];
  publicKey: KeyObject;
  preauthorized: boolean;
  /** false = the connected app is blocked/has no usable credentials → invalid_client. */
  appEnabled: boolean;
  findUser: (username: string) => { Id: string } | undefined;
}

export function publicKeyFromPem(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

const fail = (error: string, description: string): OAuthError => ({
  status: 400,
  error,
  error_description: description,
});

/** Returns the user Id on success, or the OAuth error to send. */
export async function checkJwtBearer(
  form: URLSearchParams,
  config: JwtBearerConfig,
): Promise<{ userId: string } | OAuthError> {
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    return fail('unsupported_grant_type', 'grant type not supported');
  }
  const assertion = form.get('assertion');
  if (!assertion) return fail('invalid_request', 'assertion is required');
  let claims: Record<string, unknown>;
  try {
    const header = decodeProtectedHeader(assertion);
    if (header.alg !== 'RS256') return fail('invalid_grant', 'invalid assertion');
    claims = decodeJwt(assertion) as Record<string, unknown>;
  } catch {
    return fail('invalid_grant', 'invalid assertion');
  }
  if (claims.iss !== config.consumerKey) return fail('invalid_client_id', 'client identifier invalid');
  if (!config.appEnabled) return fail('invalid_client', 'invalid client credentials');
  try {
    await compactVerify(assertion, config.publicKey);
  } catch {
    return fail('invalid_grant', 'invalid assertion');
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && config.audiences.includes(a.replace(/\/$/, '')))) {
    return fail('invalid_grant', `audience is invalid`);
  }
  const nowS = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number') return fail('invalid_grant', 'invalid assertion');
  // Only a past `exp` is refused. The docs ask for seconds a few minutes ahead, but real orgs
  // also accept the millisecond `exp` that @salesforce/core signs (`Date.now() + 300`, which
  // read as seconds lies far in the future), so no upper bound is enforced.
  if (claims.exp <= nowS) return fail('invalid_grant', 'expired authorization code');
  const user = typeof claims.sub === 'string' ? config.findUser(claims.sub) : undefined;
  if (!user) return fail('invalid_grant', 'invalid assertion');
  if (!config.preauthorized) return fail('invalid_grant', "user hasn't approved this consumer");
  return { userId: user.Id };
}
