/**
 * Inbound authentication for every `/v1` path.
 *
 * Production: Salesforce's External Credential (JWT protocol) signs a short-lived RS256 JWT for
 * each callout with a certificate held in the org. We verify it against that certificate,
 * pinned in `INBOUND_JWT_CERT` — Salesforce publishes no JWKS for enhanced Named Credentials,
 * so pinning is the only sound option.
 *
 * Development: `Authorization: Bearer <key>` against `INBOUND_API_KEYS`, refused at startup
 * when NODE_ENV=production (config.ts).
 *
 * Admin routes (dead letters, jobs) need a key from `ADMIN_API_KEYS`: an operator credential,
 * deliberately separate from the one Salesforce uses.
 *
 * Every refusal is the same 401 — for unknown paths too — so an unauthenticated caller learns
 * nothing, not even which routes exist.
 */
import { createHash, timingSafeEqual, X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify, errors as joseErrors } from 'jose';
import { ProblemError } from './problem.js';

export type AuthRequirement = 'callout' | 'admin' | 'public';

export type Principal =
  | { kind: 'salesforce'; subject: string | undefined; issuer: string }
  | { kind: 'dev-key'; keyId: string }
  | { kind: 'admin'; keyId: string };

export interface InboundAuthOptions {
  /** PEM of the X.509 certificate (or SPKI public key) Salesforce signs with. */
  jwtCertificatePem?: string | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  clockSkewS: number;
  /** Longest lifetime we accept for a callout JWT (Salesforce uses 2 minutes). */
  maxTokenLifetimeS?: number;
  devApiKeys: string[];
  adminApiKeys: string[];
}

export interface InboundAuthenticator {
  authenticate(
    authorization: string | undefined,
    requirement: Exclude<AuthRequirement, 'public'>,
  ): Promise<Principal>;
  /** What is configured, for /readyz and the startup log (never the keys). */
  describe(): { jwt: boolean; devKeys: number; adminKeys: number };
}

export function createInboundAuthenticator(opts: InboundAuthOptions): InboundAuthenticator {
  const publicKey = opts.jwtCertificatePem ? importVerificationKey(opts.jwtCertificatePem) : undefined;
  const devKeys = opts.devApiKeys.map(digestKey);
  const adminKeys = opts.adminApiKeys.map(digestKey);
  const maxLifetimeS = opts.maxTokenLifetimeS ?? 600;

  async function verifyJwt(token: string): Promise<Principal> {
    if (!publicKey || !opts.jwtIssuer || !opts.jwtAudience)
      throw unauthorized('bearer token is not a known key');
    try {
      const { payload } = await jwtVerify(token, publicKey, {
        algorithms: ['RS256'],
        issuer: opts.jwtIssuer,
        audience: opts.jwtAudience,
        clockTolerance: opts.clockSkewS,
        requiredClaims: ['exp'],
      });
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.exp === 'number' && payload.exp - now > maxLifetimeS + opts.clockSkewS) {
        throw unauthorized('token lifetime is longer than allowed');
      }
      return { kind: 'salesforce', subject: payload.sub, issuer: opts.jwtIssuer };
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      throw unauthorized(describeJoseError(err));
    }
  }

  return {
    async authenticate(authorization, requirement) {
      const token = parseBearer(authorization);
      if (!token) throw unauthorized('missing bearer credentials');
      if (requirement === 'admin') {
        const id = matchKey(token, adminKeys);
        if (id === undefined) throw unauthorized('an admin credential is required');
        return { kind: 'admin', keyId: `admin#${id + 1}` };
      }
      const id = matchKey(token, devKeys);
      if (id !== undefined) return { kind: 'dev-key', keyId: `dev#${id + 1}` };
      if (looksLikeJwt(token)) return verifyJwt(token);
      throw unauthorized('bearer token is not a known key');
    },
    describe: () => ({ jwt: Boolean(publicKey), devKeys: devKeys.length, adminKeys: adminKeys.length }),
  };
}

function importVerificationKey(pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}

/** Compare fixed-length digests so neither content nor length leaks through timing. */
function digestKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function matchKey(candidate: string, keys: Buffer[]): number | undefined {
  const digest = digestKey(candidate);
  let found: number | undefined;
  // Compare against every key (no early exit) so timing does not reveal which one matched.
  keys.forEach((key, i) => {
    if (timingSafeEqual(key, digest) && found === undefined) found = i;
  });
  return found;
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim "${err.claim}" is not accepted`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  return 'token is not valid';
}

/**
 * One 401 for every refusal. The reason goes to the log (`reason`), not to the caller,
 * so probing learns nothing.
 */
export function unauthorized(reason: string): ProblemError {
  return new ProblemError({
    status: 401,
    code: 'UNAUTHORIZED',
    title: 'Unauthorized',
    detail: 'A valid credential is required.',
    extensions: {},
    cause: new Error(reason),
  });
}
