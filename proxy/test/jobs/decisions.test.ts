import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  classifyError,
  decideAfterFailure,
  decideBeforeRun,
  decideEnqueue,
  decideReplay,
  padVersion,
  type KeyState,
} from '../../src/jobs/decisions.js';
import { PermanentJobError, TransientJobError } from '../../src/jobs/errors.js';
import type { Job } from '../../src/jobs/types.js';

const job = (version: string, state: Job['state'] = 'queued'): Job => ({
  id: `id-${version}-${state}`,
  flow: 'account',
  key: '001',
  version,
  payload: {},
  state,
  attempts: 0,
  runAt: 0,
  leaseUntil: null,
  lastError: null,
  createdAt: 0,
  updatedAt: 0,
  finishedAt: null,
  note: null,
});
const empty: KeyState = {
  sameVersion: null,
  queued: null,
  running: null,
  lastDoneVersion: null,
  newestDeadVersion: null,
};
const limits = { maxAttempts: 8, maxAgeMs: 72 * 3_600_000, backoff: { baseMs: 1000, capMs: 60_000 } };

describe('decideEnqueue', () => {
  it('covers duplicate, stale, supersede, queued-behind and enqueued', () => {
    expect(decideEnqueue({ ...empty, sameVersion: job('v1', 'done') }, 'v1').outcome).toBe('duplicate');
    expect(decideEnqueue({ ...empty, lastDoneVersion: 'v2' }, 'v1').outcome).toBe('stale');
    expect(decideEnqueue({ ...empty, lastDoneVersion: 'v2' }, 'v2').outcome).toBe('stale');
    expect(decideEnqueue({ ...empty, newestDeadVersion: 'v3' }, 'v2').outcome).toBe('stale');
    expect(decideEnqueue({ ...empty, queued: job('v2') }, 'v3')).toMatchObject({
      outcome: 'superseded-older',
    });
    expect(decideEnqueue({ ...empty, queued: job('v2') }, 'v1').outcome).toBe('stale');
    expect(decideEnqueue({ ...empty, running: job('v2', 'running') }, 'v3').outcome).toBe('queued-behind');
    expect(decideEnqueue({ ...empty, running: job('v2', 'running') }, 'v1').outcome).toBe('stale');
    expect(decideEnqueue({ ...empty, lastDoneVersion: 'v1' }, 'v2').outcome).toBe('enqueued');
  });

  it('compares ISO SystemModstamps and padded control numbers as strings in time order', () => {
    const s = { ...empty, lastDoneVersion: '2024-05-01T10:00:00.000Z' };
    expect(decideEnqueue(s, '2024-05-01T09:59:59.999Z').outcome).toBe('stale');
    expect(decideEnqueue(s, '2024-05-01T10:00:00.001Z').outcome).toBe('enqueued');
    expect(padVersion(9) < padVersion(10)).toBe(true);
    expect(() => padVersion(-1)).toThrow(RangeError);
  });
});

describe('decideReplay', () => {
  it('requeues unless a newer version is queued, running or done', () => {
    const dead = job('v2', 'dead');
    expect(decideReplay(dead, { queued: null, running: null, lastDoneVersion: 'v1' }).requeue).toBe(true);
    expect(decideReplay(dead, { queued: job('v3'), running: null, lastDoneVersion: null }).requeue).toBe(
      false,
    );
    expect(decideReplay(dead, { queued: null, running: null, lastDoneVersion: 'v3' }).note).toMatch(/v3/);
  });
});

describe('classifyError', () => {
  it('transient === false is permanent with code, message and details', () => {
    const c = classifyError(
      new PermanentJobError({ code: 'D365_VALIDATION', message: 'Field X', details: { status: 400 } }),
      2,
      5,
    );
    expect(c.info).toEqual({
      code: 'D365_VALIDATION',
      message: 'Field X',
      details: { status: 400 },
      transient: false,
      attempt: 2,
      at: 5,
    });
    expect(classifyError(Object.assign(new Error('x'), { transient: false }), 1, 0).info.code).toBe(
      'PERMANENT_ERROR',
    );
  });

  it('anything else is transient, including non-Error throws; retryAfterMs is read', () => {
    expect(classifyError('boom', 1, 0).info).toMatchObject({
      code: 'NON_ERROR_THROWN',
      transient: true,
      message: expect.stringContaining('"boom"'),
    });
    expect(classifyError(undefined, 1, 0).info.transient).toBe(true);
    expect(classifyError({ weird: true }, 1, 0).info.message).toContain('{"weird":true}');
    const t = classifyError(
      new TransientJobError({ code: 'HTTP_429', message: 'slow down', retryAfterMs: 30_000 }),
      1,
      0,
    );
    expect(t.retryAfterMs).toBe(30_000);
    expect(t.info.code).toBe('HTTP_429');
  });
});

describe('backoff and failure decisions', () => {
  it('full jitter within an exponentially growing, capped ceiling', () => {
    const p = { baseMs: 1000, capMs: 60_000 };
    expect(backoffMs(1, p, 0)).toBe(0);
    expect(backoffMs(1, p, 0.999999)).toBe(999);
    expect(backoffMs(3, p, 0.5)).toBe(2000);
    expect(backoffMs(20, p, 1)).toBe(60_000);
  });

  it('retries transient errors, not earlier than retryAfterMs, and gives up after max attempts or age', () => {
    const j = { attempts: 1, createdAt: 0 };
    const r = decideAfterFailure(j, new Error('ECONNRESET'), 1000, limits, 0.5);
    expect(r).toMatchObject({ kind: 'retry', runAt: 1500 });
    const ra = decideAfterFailure(
      j,
      new TransientJobError({ code: 'HTTP_429', message: '', retryAfterMs: 120_000 }),
      1000,
      limits,
      0.5,
    );
    expect(ra).toMatchObject({ kind: 'retry', runAt: 121_000 });
    expect(
      decideAfterFailure({ attempts: 8, createdAt: 0 }, new Error('x'), 1000, limits, 0.5),
    ).toMatchObject({
      kind: 'dead',
      reason: expect.stringContaining('8 attempts'),
      info: { transient: false },
    });
    expect(
      decideAfterFailure({ attempts: 2, createdAt: 0 }, new Error('x'), limits.maxAgeMs, limits, 0.5).kind,
    ).toBe('dead');
    expect(
      decideAfterFailure(j, new PermanentJobError({ code: 'INVALID_FIELD', message: 'm' }), 1, limits, 0.5)
        .kind,
    ).toBe('dead');
  });

  it('a job that keeps losing its lease is dead-lettered before running again', () => {
    expect(decideBeforeRun({ attempts: 8, lastError: null }, 0, limits)).toEqual({ run: true });
    const d = decideBeforeRun({ attempts: 9, lastError: null }, 0, limits);
    expect(d).toMatchObject({ run: false, info: { code: 'LEASE_LOST_TOO_OFTEN' } });
  });
});
