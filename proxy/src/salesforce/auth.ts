import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { SalesforceAuthError } from './errors.js';
import type { LoggerLike, SessionInfo } from './types.js';

export interface JwtBearerOptions {
  /** `https://login.salesforce.com`, `https://test.salesforce.com` or My Domain. */
  loginUrl: string;
  /** JWT `aud`; defaults to `loginUrl` (set it to login/test.salesforce.com when loginUrl is My Domain). */
  audience?: string;
  /** Connected app / External Client App consumer key (JWT `iss`). */
  clientId: string;
  /** Integration user's username (JWT `sub`). */
  username: string;
  /** PEM text (PKCS#8 or PKCS#1) or a path to a PEM file. */
  privateKey: string;
  logger: LoggerLike;
  timeoutMs: number;
}

interface TokenResponse {
  access_token?: string;
  instance_url?: string;
  id?: string;
  error?: string;
  error_description?: string;
}

/** A difference of clocks below this is ordinary drift (and the `Date` header's 1 s resolution). */
const CLOCK_TOLERANCE_MS = 30_000;

/** Salesforce's clock minus this host's, from an answer's `Date` header; undefined when absent. */
function clockOffset(date: string | null): number | undefined {
  const at = date ? Date.parse(date) : NaN;
  return Number.isNaN(at) ? undefined : at - Date.now();
}

export function loadPrivateKey(pemOrPath: string): KeyObject {
  const pem = pemOrPath.includes('-----BEGIN') ? pemOrPath : readFileSync(pemOrPath, 'utf8');
  return createPrivateKey(pem);
}

/**
 * OAuth 2.0 JWT bearer flow (a connected app with a certificate, a pre-authorised user). The token is cached until Salesforce rejects it
 * (the grant issues no refresh token and no lifetime); concurrent callers share one login.
 */
export class JwtBearerAuth {
  private key: KeyObject | undefined;
  private current: SessionInfo | undefined;
  private inflight: Promise<SessionInfo> | undefined;
  /** Successful logins so far (for diagnostics). */
  logins = 0;
  /** Salesforce's clock minus this host's, learned from a refused login's `Date` header. */
  private clockOffsetMs = 0;

  constructor(private readonly options: JwtBearerOptions) {}

  /** The cached session, or one new login shared by every concurrent caller. */
  session(): Promise<SessionInfo> {
    if (this.current) return Promise.resolve(this.current);
    this.inflight ??= this.login().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drops the session if it is still the one that failed (a newer one is kept). */
  invalidate(accessToken: string): void {
    if (this.current?.accessToken === accessToken) this.current = undefined;
  }

  private async login(retried = false): Promise<SessionInfo> {
    const { loginUrl, clientId, username, logger } = this.options;
    this.key ??= loadPrivateKey(this.options.privateKey);
    // Seconds-based exp, ~3 minutes ahead as Salesforce expects, on Salesforce's clock as far as
    // a refused login told us (`clockOffsetMs`): a host whose clock runs minutes slow would
    // otherwise sign assertions that are already expired when they arrive.
    const nowS = Math.floor((Date.now() + this.clockOffsetMs) / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(clientId)
      .setSubject(username)
      .setAudience(this.options.audience ?? loginUrl)
      .setExpirationTime(nowS + 180)
      .sign(this.key);
    const url = `${loginUrl.replace(/\/$/, '')}/services/oauth2/token`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (cause) {
      throw new SalesforceAuthError({
        error: 'network_error',
        description: (cause as Error).message,
        transient: true,
        cause,
      });
    }
    const text = await res.text();
    let body: TokenResponse = {};
    try {
      body = JSON.parse(text) as TokenResponse;
    } catch {
      // Non-JSON (an HTML error page from a proxy or the wrong host).
    }
    if (!res.ok || !body.access_token || !body.instance_url) {
      // Refused, and Salesforce's clock (its `Date` header) is far from ours: sign again once on
      // its clock. Any other refusal (key, user, audience) fails the same way the second time.
      const offset = clockOffset(res.headers.get('date'));
      if (!retried && offset !== undefined && Math.abs(offset - this.clockOffsetMs) > CLOCK_TOLERANCE_MS) {
        logger.warn(
          { offsetS: Math.round(offset / 1000), username },
          "salesforce login refused and this host's clock is off from Salesforce's: signing on Salesforce's clock",
        );
        this.clockOffsetMs = offset;
        return this.login(true);
      }
      const err = new SalesforceAuthError({
        error: body.error ?? `http_${res.status}`,
        description: body.error_description ?? text.slice(0, 200),
        status: res.status,
      });
      logger.warn(
        { status: res.status, error: err.error, description: err.description, username },
        'salesforce login failed',
      );
      throw err;
    }
    this.current = {
      accessToken: body.access_token,
      instanceUrl: body.instance_url.replace(/\/$/, ''),
      id: body.id ?? '',
      issuedAt: Date.now(),
    };
    this.logins++;
    logger.info({ instanceUrl: this.current.instanceUrl, username }, 'salesforce login ok');
    return this.current;
  }
}
