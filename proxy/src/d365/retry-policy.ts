/**
 * What to do after one attempt — a pure function of the attempt, so it is tested on its own. Order of strategies:
 *
 *  1. 429 → always retry, after the governor's pause (the request was refused, not executed, so
 *     even a POST is safe). Bounded only by the caller's total deadline.
 *  2. 401 → drop the token, fetch a new one, retry once.
 *  3. 408, 5xx except 501/505, timeouts, connection errors →
 *       idempotent methods (GET, DELETE, and PATCH — see below): exponential backoff with FULL
 *       jitter, `maxAttempts` in total, within the deadline;
 *       POST / $batch with writes: never repeated. If the request may have reached F&O
 *       (anything but "connection refused"), it surfaces as D365AmbiguousWriteError.
 *  4. Other 4xx: never retried.
 *
 * PATCH is treated as idempotent: the proxy only PATCHes absolute field values (never
 * increments), so applying the same PATCH twice leaves the record as applying it once.
 * DELETE is idempotent; a 404 on a *retried* DELETE means the first attempt succeeded.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Network error codes where the request certainly never reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);
const NETWORK = new Set([
  ...NOT_SENT,
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'ERR_BAD_RESPONSE',
]);

export interface AttemptResult {
  method: HttpMethod;
  /** Safe to repeat (GET, PATCH, DELETE; a read-only `$batch`; a DMF status call). */
  idempotent: boolean;
  attempt: number;
  status?: number;
  /** Node/axios error code when no response arrived. */
  errorCode?: string;
  authRetried: boolean;
}

export type RetryDecision =
  | { action: 'done' }
  | { action: 'retry'; reason: 'throttled' | 'auth' | 'server' | 'network'; delayMs: number }
  | { action: 'fail'; kind: 'throttled' | 'auth' | 'client' | 'exhausted' | 'ambiguous' | 'unexpected' };

export function isRetryableStatus(status: number): boolean {
  return status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

export function wasNeverSent(errorCode: string | undefined): boolean {
  return errorCode !== undefined && NOT_SENT.has(errorCode);
}

export function decideRetry(
  r: AttemptResult,
  options: RetryOptions = DEFAULT_RETRY,
  random = Math.random,
): RetryDecision {
  if (r.status !== undefined && r.status < 400) return { action: 'done' };
  if (r.status === 429) return { action: 'retry', reason: 'throttled', delayMs: 0 };
  if (r.status === 401) {
    return r.authRetried ? { action: 'fail', kind: 'auth' } : { action: 'retry', reason: 'auth', delayMs: 0 };
  }
  const transient =
    r.status !== undefined
      ? isRetryableStatus(r.status)
      : r.errorCode !== undefined && NETWORK.has(r.errorCode);
  if (!transient) {
    if (r.status !== undefined && r.status >= 400 && r.status < 500)
      return { action: 'fail', kind: 'client' };
    if (r.status === undefined && r.errorCode !== undefined && !r.idempotent)
      return { action: 'fail', kind: 'ambiguous' };
    return { action: 'fail', kind: 'unexpected' };
  }
  const safe = r.idempotent || (r.status === undefined && wasNeverSent(r.errorCode));
  if (!safe) return { action: 'fail', kind: 'ambiguous' };
  if (r.attempt >= options.maxAttempts) return { action: 'fail', kind: 'exhausted' };
  return {
    action: 'retry',
    reason: r.status === undefined ? 'network' : 'server',
    delayMs: backoffDelay(r.attempt, options, random),
  };
}

/** Full jitter: uniform in [0, min(cap, base·2^(attempt−1))] (AWS "full jitter"). */
export function backoffDelay(
  attempt: number,
  options: RetryOptions = DEFAULT_RETRY,
  random = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
