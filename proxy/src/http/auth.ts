/**
 * Inbound authentication: who is calling, and which kinds of route that caller may use.
 *
 * Production: Salesforce's External Credentials (JWT protocol) sign a short-lived RS256 JWT for
 * each callout with a certificate held in the org. We verify it against that certificate,
 * pinned in `INBOUND_JWT_CERT` — Salesforce publishes no JWKS for enhanced Named Credentials,
 * so pinning is the only sound option. The package has two External Credentials, one per
 * caller, and each puts its own `scope` claim in the token:
 *   scope `inventory` → access `widget`  (the rep's inventory widget: read inventory, nothing else)
 *   scope `sync`      → access `callout` (the integration user's sync callouts); these tokens
 *                        must carry a `jti`, and a `jti` seen before within the token's lifetime
 *                        is refused (kept in the store, so every replica agrees)
 * A token with no known scope grants nothing.
 *
 * Development: `Authorization: Bearer <key>` against `INBOUND_API_KEYS` grants `widget` and
 * `callout` (never `admin`); refused at startup when NODE_ENV=production (config.ts).
 *
 * Admin routes (dead letters, jobs, operational detail) need a key from `ADMIN_API_KEYS`: an
 * operator credential, deliberately separate from the ones Salesforce uses.
 *
 * Business-event routes (access `events`) take their credential from the path: F&O's HTTPS
 * endpoint sends no headers, so the URL it keeps in Key Vault ends in a key from `D365_EVENT_KEYS`.
 * The access hook hands the matched route's `:key` parameter to `authenticateEventKey`.
 *
 * Every refusal is the same 401 — for unknown `/v1` paths too — so an unauthenticated caller
 * learns nothing, not even which routes exist.
 */
import { createHash, timingSafeEqual, X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ProblemError } from './problem.js';
import { memoryTokenIdLedger, type TokenIdLedger } from '../jobs/store/token-ids/token-id-ledger.js';

/**
 * Who may call a route, declared in its options (`config: { auth: … }`):
 *   public   anyone (health, and docs/metrics when configured public)
 *   widget   the Sales Rep inventory widget (JWT scope `inventory`)
 *   callout  the sync path (JWT scope `sync`)
 *   events   business-event senders: a key from D365_EVENT_KEYS in the route's `:key` parameter
 *   admin    an operator key from ADMIN_API_KEYS
 */
export const ACCESS_LEVELS = ['public', 'widget', 'callout', 'events', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];
/** One access level or several (the caller needs any one of them). */
export type RouteAccess = Access | readonly Access[];

/** JWT `scope` values the package's External Credentials send, and the access each grants. */
export const JWT_SCOPES = { inventory: 'widget', sync: 'callout' } as const satisfies Record<string, Access>;

export type Principal =
  | {
      kind: 'salesforce';
      subject: string | undefined;
      issuer: string;
      scopes: string[];
      grants: Access[];
    }
  | { kind: 'dev-key'; keyId: string; grants: Access[] }
  | { kind: 'admin'; keyId: string; grants: Access[] }
  | { kind: 'event-key'; keyId: string; grants: Access[] };

/** The route parameter an `events` route carries its key in (`/v1/events/d365/:key`). */
export const EVENT_KEY_PARAM = 'key';

export interface InboundAuthOptions {
  /**
   * PEM of the X.509 certificate (or SPKI public key) Salesforce signs with. Several PEM blocks
   * one after the other are all accepted: that is how the certificate is rotated without a gap.
   */
  jwtCertificatePem?: string | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  clockSkewS: number;
  /** Longest lifetime we accept for a callout JWT (Salesforce uses 2 minutes). */
  maxTokenLifetimeS?: number;
  devApiKeys: string[];
  adminApiKeys: string[];
  /** D365_EVENT_KEYS: path keys of the business-event routes. */
  eventKeys?: string[];
  /** Where seen `jti` values live; in memory when absent (one replica only). */
  tokenIds?: TokenIdLedger;
  clock?: () => number;
}

export interface InboundAuthenticator {
  /** The caller, if its credential is valid and grants any of `allowed`; otherwise a 401. */
  authenticate(authorization: string | undefined, allowed: readonly Access[]): Promise<Principal>;
  /** The business-event sender whose path key this is; otherwise a 401. */
  authenticateEventKey(key: string | undefined): Principal;
  /** What is configured, for /readyz and the startup log (never the keys). */
  describe(): { jwt: boolean; devKeys: number; adminKeys: number };
}

const DEV_KEY_GRANTS: Access[] = ['widget', 'callout'];
/** Printable ASCII, spaces included: the package's formula joins a user id and two timestamps. */
const JTI = /^[\x20-\x7e]{8,200}$/;

export function createInboundAuthenticator(opts: InboundAuthOptions): InboundAuthenticator {
  const publicKeys = opts.jwtCertificatePem ? importVerificationKeys(opts.jwtCertificatePem) : [];
  const devKeys = opts.devApiKeys.map(digestKey);
  const adminKeys = opts.adminApiKeys.map(digestKey);
  const eventKeys = (opts.eventKeys ?? []).map(digestKey);
  const maxLifetimeS = opts.maxTokenLifetimeS ?? 600;
  const tokenIds = opts.tokenIds ?? memoryTokenIdLedger();
  const clock = opts.clock ?? Date.now;

  async function verifyJwt(token: string): Promise<{ principal: Principal; payload: JWTPayload }> {
    if (publicKeys.length === 0 || !opts.jwtIssuer || !opts.jwtAudience)
      throw unauthorized('bearer token is not a known key');
    try {
      const payload = await verifyWithAny(token, publicKeys, {
        algorithms: ['RS256'],
        issuer: opts.jwtIssuer,
        audience: opts.jwtAudience,
        clockTolerance: opts.clockSkewS,
        requiredClaims: ['exp'],
        currentDate: new Date(clock()),
      });
      const now = Math.floor(clock() / 1000);
      if (typeof payload.exp === 'number' && payload.exp - now > maxLifetimeS + opts.clockSkewS) {
        throw unauthorized('token lifetime is longer than allowed');
      }
      const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [];
      const grants = [
        ...new Set(
          scopes.flatMap((s) => (s in JWT_SCOPES ? [JWT_SCOPES[s as keyof typeof JWT_SCOPES]] : [])),
        ),
      ];
      return {
        principal: { kind: 'salesforce', subject: payload.sub, issuer: opts.jwtIssuer, scopes, grants },
        payload,
      };
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      throw unauthorized(describeJoseError(err));
    }
  }

  /** A sync token is good once: its `jti` is remembered until the token could no longer be used. */
  async function spendJti(payload: JWTPayload): Promise<void> {
    const jti = payload.jti;
    if (typeof jti !== 'string' || !JTI.test(jti)) throw unauthorized('sync token has no usable jti');
    const expiresAtMs = ((payload.exp as number) + opts.clockSkewS) * 1000;
    const fresh = await tokenIds.rememberTokenId(`${opts.jwtIssuer}|${jti}`, expiresAtMs, clock());
    if (!fresh) throw unauthorized('token jti was already used');
  }

  return {
    async authenticate(authorization, allowed) {
      const token = parseBearer(authorization);
      if (!token) throw unauthorized('missing bearer credentials');
      const grantsAny = (p: Principal) => p.grants.some((g) => allowed.includes(g));

      const adminId = matchKey(token, adminKeys);
      if (adminId !== undefined) {
        const p: Principal = { kind: 'admin', keyId: `admin#${adminId + 1}`, grants: ['admin'] };
        if (!grantsAny(p)) throw unauthorized('an admin key does not open this route');
        return p;
      }
      const devId = matchKey(token, devKeys);
      if (devId !== undefined) {
        const p: Principal = { kind: 'dev-key', keyId: `dev#${devId + 1}`, grants: DEV_KEY_GRANTS };
        if (!grantsAny(p)) throw unauthorized('a development key does not open this route');
        return p;
      }
      if (!looksLikeJwt(token)) throw unauthorized('bearer token is not a known key');
      const { principal, payload } = await verifyJwt(token);
      if (!grantsAny(principal))
        throw unauthorized(
          `token scope "${principal.kind === 'salesforce' ? principal.scopes.join(' ').slice(0, 64) : ''}" does not open this route`,
        );
      if (principal.grants.includes('callout')) await spendJti(payload);
      return principal;
    },
    authenticateEventKey(key) {
      if (!key) throw unauthorized('missing event key');
      const id = matchKey(key, eventKeys);
      if (id === undefined) throw unauthorized('event key is not a known key');
      return { kind: 'event-key', keyId: `event#${id + 1}`, grants: ['events'] };
    },
    describe: () => ({ jwt: publicKeys.length > 0, devKeys: devKeys.length, adminKeys: adminKeys.length }),
  };
}

/** Every certificate or public key in the PEM text (the old and the new one while rotating). */
function importVerificationKeys(pem: string): KeyObject[] {
  const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [pem];
  return blocks.map((block) =>
    block.includes('BEGIN CERTIFICATE') ? new X509Certificate(block).publicKey : createPublicKey(block),
  );
}

/** The payload, verified by the first key whose signature matches; claim errors are final. */
async function verifyWithAny(
  token: string,
  keys: KeyObject[],
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  let last: unknown;
  for (const key of keys) {
    try {
      return (await jwtVerify(token, key, options)).payload;
    } catch (err) {
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw err;
      last = err;
    }
  }
  throw last;
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
