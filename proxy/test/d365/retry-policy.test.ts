import { describe, it, expect } from 'vitest';
import { backoffDelay, decideRetry, type AttemptResult } from '../../src/d365/retry-policy.js';

const base: AttemptResult = { method: 'GET', idempotent: true, attempt: 1, authRetried: false };
const opts = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

describe('decideRetry', () => {
  it('retries 429 for any method, after the pause', () => {
    expect(decideRetry({ ...base, method: 'POST', idempotent: false, status: 429 }, opts)).toMatchObject({
      action: 'retry',
      reason: 'throttled',
    });
  });

  it('retries a 401 once to fetch a new token', () => {
    expect(decideRetry({ ...base, status: 401 }, opts)).toMatchObject({ action: 'retry', reason: 'auth' });
    expect(decideRetry({ ...base, status: 401, authRetried: true }, opts)).toEqual({
      action: 'fail',
      kind: 'auth',
    });
  });

  it('retries 5xx except 501/505 and 408 for idempotent calls, then gives up', () => {
    for (const status of [408, 500, 502, 503, 504]) {
      expect(decideRetry({ ...base, status }, opts).action).toBe('retry');
    }
    expect(decideRetry({ ...base, status: 501 }, opts)).toEqual({ action: 'fail', kind: 'unexpected' });
    expect(decideRetry({ ...base, status: 505 }, opts)).toEqual({ action: 'fail', kind: 'unexpected' });
    expect(decideRetry({ ...base, status: 503, attempt: 5 }, opts)).toEqual({
      action: 'fail',
      kind: 'exhausted',
    });
  });

  it('never repeats a POST that may have been received', () => {
    const post = { ...base, method: 'POST' as const, idempotent: false };
    expect(decideRetry({ ...post, status: 502 }, opts)).toEqual({ action: 'fail', kind: 'ambiguous' });
    expect(decideRetry({ ...post, errorCode: 'ECONNRESET' }, opts)).toEqual({
      action: 'fail',
      kind: 'ambiguous',
    });
    expect(decideRetry({ ...post, errorCode: 'ETIMEDOUT' }, opts)).toEqual({
      action: 'fail',
      kind: 'ambiguous',
    });
  });

  it('retries a POST whose connection was refused (never sent)', () => {
    expect(
      decideRetry({ ...base, method: 'POST', idempotent: false, errorCode: 'ECONNREFUSED' }, opts).action,
    ).toBe('retry');
  });

  it('never retries other 4xx', () => {
    for (const status of [400, 403, 404, 409]) {
      expect(decideRetry({ ...base, status }, opts)).toEqual({ action: 'fail', kind: 'client' });
    }
  });
});

describe('backoffDelay (full jitter)', () => {
  it('spans 0 … min(cap, base·2^(n-1))', () => {
    expect(backoffDelay(1, opts, () => 0.999)).toBe(99);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(200);
    expect(backoffDelay(10, opts, () => 0.999)).toBe(999);
    expect(backoffDelay(4, opts, () => 0)).toBe(0);
  });
});
