/**
 * Our own token cache on top of whatever fetches tokens (MSAL in production). MSAL alone is
 * not enough: it has no single-flight (10 cold callers → 10 POSTs) and after a
 * 503 from the token endpoint it throws for 60 s without asking, even while a valid token exists.
 *
 * Rules (as Azure SDK's tokenCycler):
 *  - one in-flight fetch shared by every caller;
 *  - more than `refreshWindowMs` (5 min) left → serve the cached token;
 *  - less than that but more than `forcedRefreshWindowMs` → serve it and refresh in the background;
 *  - less than `forcedRefreshWindowMs`, or none → callers wait for the fetch;
 *  - a failing refresh while the held token is still valid keeps serving it (and tries again
 *    after `retryIntervalMs`, past MSAL's 60 s throttle);
 *  - `invalidate(token)` after an F&O 401 drops exactly that token.
 */
import { D365AuthError } from '../errors.js';

export interface FetchedToken {
  accessToken: string;
  /** Lifetime from now, in ms. */
  expiresInMs: number;
}

export type TokenFetcher = () => Promise<FetchedToken>;

export interface TokenCacheOptions {
  fetch: TokenFetcher;
  now?: () => number;
  refreshWindowMs?: number;
  forcedRefreshWindowMs?: number;
  retryIntervalMs?: number;
  logger?: { warn(obj: object, msg?: string): void; debug?(obj: object, msg?: string): void };
}

export interface TokenStatus {
  state: 'none' | 'valid' | 'expiring' | 'expired';
  expiresInS: number | undefined;
  refreshing: boolean;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
  /** Token requests made since start. */
  requests: number;
}

interface Held {
  token: string;
  expiresAt: number;
}

export class TokenCache {
  private held: Held | undefined;
  private inflight: Promise<Held> | undefined;
  private nextAttemptAt = 0;
  private lastError: Error | undefined;
  private lastErrorAt: number | undefined;
  private requests = 0;
  private readonly now: () => number;
  private readonly refreshWindowMs: number;
  private readonly forcedRefreshWindowMs: number;
  private readonly retryIntervalMs: number;

  constructor(private readonly options: TokenCacheOptions) {
    this.now = options.now ?? Date.now;
    this.refreshWindowMs = options.refreshWindowMs ?? 300_000;
    this.forcedRefreshWindowMs = options.forcedRefreshWindowMs ?? 30_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 30_000;
  }

  async getToken(): Promise<string> {
    const now = this.now();
    const held = this.held;
    if (held && held.expiresAt - now > this.refreshWindowMs) return held.token;
    if (held && held.expiresAt - now > this.forcedRefreshWindowMs) {
      if (now >= this.nextAttemptAt) this.refresh().catch(() => undefined);
      return held.token;
    }
    try {
      return (await this.refresh()).token;
    } catch (err) {
      const again = this.held;
      if (again && again.expiresAt > this.now()) return again.token;
      throw err;
    }
  }

  /** Drop `token` (the one F&O just refused); a newer token fetched meanwhile is kept. */
  invalidate(token?: string): void {
    if (token === undefined || this.held?.token === token) {
      this.held = undefined;
      this.nextAttemptAt = 0;
    }
  }

  /** The held token without fetching (for audience checks); undefined when none. */
  peek(): string | undefined {
    return this.held?.token;
  }

  status(): TokenStatus {
    const now = this.now();
    const h = this.held;
    return {
      state: !h
        ? 'none'
        : h.expiresAt <= now
          ? 'expired'
          : h.expiresAt - now <= this.refreshWindowMs
            ? 'expiring'
            : 'valid',
      expiresInS: h ? Math.round((h.expiresAt - now) / 1000) : undefined,
      refreshing: this.inflight !== undefined,
      lastError: this.lastError?.message,
      lastErrorAt: this.lastErrorAt,
      requests: this.requests,
    };
  }

  private refresh(): Promise<Held> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<Held> {
    this.requests += 1;
    const startedAt = this.now();
    try {
      const fetched = await this.options.fetch();
      // Lifetime measured from when we asked: conservative by the round-trip.
      const held = { token: fetched.accessToken, expiresAt: startedAt + Math.max(0, fetched.expiresInMs) };
      this.held = held;
      this.lastError = undefined;
      this.nextAttemptAt = 0;
      return held;
    } catch (err) {
      const error = toAuthError(err);
      this.lastError = error;
      this.lastErrorAt = this.now();
      this.nextAttemptAt = this.now() + this.retryIntervalMs;
      this.options.logger?.warn(
        { err: { message: error.message, transient: error.transient } },
        this.held ? 'token refresh failed; still serving the held token' : 'token request failed',
      );
      throw error;
    }
  }
}

/** Errors from the token endpoint that retrying cannot fix (bad secret, unknown app or tenant). */
const PERMANENT =
  /invalid_client|unauthorized_client|invalid_scope|invalid_resource|AADSTS7000215|AADSTS700016|AADSTS90002|AADSTS500011|AADSTS7000222/;

export function toAuthError(err: unknown): D365AuthError {
  if (err instanceof D365AuthError) return err;
  const e = err as { message?: string; errorCode?: string; errorMessage?: string } | undefined;
  const text = `${e?.errorCode ?? ''} ${e?.message ?? String(err)}`;
  const transient = !PERMANENT.test(text);
  return new D365AuthError(`Entra ID token request failed: ${(e?.message ?? String(err)).split('\n')[0]}`, {
    transient,
    retryAfterMs: transient ? 30_000 : undefined,
    cause: err,
  });
}
