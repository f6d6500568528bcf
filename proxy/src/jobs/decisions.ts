/**
 * Every decision the queue makes, as pure functions of plain data (no store, no clock, no
 * randomness of their own). The store adapters call them inside their transactions; the worker
 * calls them after a handler returns or throws. Unit-tested in `proxy/test/jobs/decisions.test.ts`.
 */
import type { EnqueueOutcome, Job, JobErrorInfo } from './types.js';

// ── enqueue ─────────────────────────────────────────────────────────────────────────────────

/** What the store knows about one flow+key when a version arrives. */
export interface KeyState {
  /** A job with exactly this flow+key+version, in any state. */
  sameVersion: Job | null;
  /** The (at most one) queued job of the key. */
  queued: Job | null;
  /** The (at most one) running job of the key. */
  running: Job | null;
  /** Highest version ever completed for the key (kept after retention deletes the job). */
  lastDoneVersion: string | null;
  /** Highest version among the key's dead letters (an older arrival must not overtake it). */
  newestDeadVersion: string | null;
}

export type EnqueueDecision =
  | { outcome: 'duplicate'; existing: Job }
  | { outcome: 'stale'; note: string }
  | { outcome: Exclude<EnqueueOutcome, 'duplicate' | 'stale'>; supersede: Job | null };

/**
 * The per-key rules: same version → no-op; older than anything completed, queued or running →
 * stale (recorded, never run); newer than a queued one → replaces it; newer than a running one →
 * waits behind it. Keeps the invariant "at most one queued and one running job per key".
 */
export function decideEnqueue(state: KeyState, version: string): EnqueueDecision {
  if (state.sameVersion) return { outcome: 'duplicate', existing: state.sameVersion };
  if (state.lastDoneVersion !== null && version <= state.lastDoneVersion) {
    return {
      outcome: 'stale',
      note: `version ${version} is not newer than completed version ${state.lastDoneVersion}`,
    };
  }
  if (state.newestDeadVersion !== null && version < state.newestDeadVersion) {
    return {
      outcome: 'stale',
      note: `version ${version} is older than dead-lettered version ${state.newestDeadVersion}`,
    };
  }
  if (state.queued) {
    if (version < state.queued.version) {
      return {
        outcome: 'stale',
        note: `version ${version} is older than queued version ${state.queued.version}`,
      };
    }
    return { outcome: 'superseded-older', supersede: state.queued };
  }
  if (state.running) {
    if (version < state.running.version) {
      return {
        outcome: 'stale',
        note: `version ${version} is older than running version ${state.running.version}`,
      };
    }
    return { outcome: 'queued-behind', supersede: null };
  }
  return { outcome: 'enqueued', supersede: null };
}

/** A dead letter is replayed unless a newer version of its key is queued, running or done. */
export function decideReplay(
  dead: Job,
  state: Omit<KeyState, 'sameVersion' | 'newestDeadVersion'>,
): { requeue: boolean; note: string } {
  const newer = [state.queued?.version, state.running?.version, state.lastDoneVersion ?? undefined].filter(
    (v): v is string => v !== undefined && v > dead.version,
  );
  if (newer.length > 0) {
    return {
      requeue: false,
      note: `not replayed: newer version ${newer.sort().at(-1)} of ${dead.flow}/${dead.key} is queued, running or done`,
    };
  }
  return { requeue: true, note: 'replayed' };
}

// ── versions ────────────────────────────────────────────────────────────────────────────────

/** ControlNumbers and other integers as sortable versions: zero-padded to 20 digits. */
export function padVersion(n: number | bigint | string, width = 20): string {
  const s = String(n);
  if (!/^\d+$/.test(s)) throw new RangeError(`padVersion expects a non-negative integer, got ${s}`);
  return s.padStart(width, '0');
}

// ── failures ────────────────────────────────────────────────────────────────────────────────

export interface Classified {
  info: JobErrorInfo;
  /** From the error's `retryAfterMs` (a 429 Retry-After, a governor pause). */
  retryAfterMs: number | undefined;
}

/**
 * Classify anything a handler threw. `transient === false` → permanent; everything else —
 * including non-Error throws, `undefined`, strings — is transient. `code`, `message`,
 * `details` and `retryAfterMs` are taken from the error when present.
 */
export function classifyError(err: unknown, attempt: number, now: number): Classified {
  const o = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const permanent = o.transient === false;
  const code =
    typeof o.code === 'string' && o.code.length > 0
      ? o.code
      : err instanceof Error
        ? permanent
          ? 'PERMANENT_ERROR'
          : 'HANDLER_ERROR'
        : 'NON_ERROR_THROWN';
  let message: string;
  if (err instanceof Error) message = err.message || err.name;
  else if (typeof o.message === 'string') message = o.message;
  else message = `handler threw a non-Error value: ${describeValue(err)}`;
  const retryAfterMs =
    typeof o.retryAfterMs === 'number' && Number.isFinite(o.retryAfterMs) && o.retryAfterMs >= 0
      ? o.retryAfterMs
      : undefined;
  const info: JobErrorInfo = {
    code,
    message: message.slice(0, 4000),
    transient: !permanent,
    attempt,
    at: now,
  };
  if (o.details !== undefined) info.details = o.details;
  return { info, retryAfterMs };
}

function describeValue(v: unknown): string {
  try {
    const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
    return s.length > 500 ? `${s.slice(0, 500)}…` : s;
  } catch {
    return String(v);
  }
}

export interface BackoffPolicy {
  /** First retry's ceiling (ms); doubles each attempt. */
  baseMs: number;
  /** Ceiling of any single wait (ms). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 15 * 60_000 };

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt−1))]. */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.min(Math.max(random, 0), 1) * ceiling);
}

export interface RetryLimits {
  maxAttempts: number;
  maxAgeMs: number;
  backoff: BackoffPolicy;
}

export type FailureDecision =
  { kind: 'retry'; runAt: number; info: JobErrorInfo } | { kind: 'dead'; info: JobErrorInfo; reason: string };

/**
 * After a handler failed: permanent → dead now; transient → retry at backoff (or no earlier than
 * `retryAfterMs`), unless the attempts or the job's age are used up.
 */
export function decideAfterFailure(
  job: Pick<Job, 'attempts' | 'createdAt'>,
  err: unknown,
  now: number,
  limits: RetryLimits,
  random: number,
): FailureDecision {
  const { info, retryAfterMs } = classifyError(err, job.attempts, now);
  if (!info.transient) return { kind: 'dead', info, reason: 'permanent error' };
  if (job.attempts >= limits.maxAttempts) {
    return {
      kind: 'dead',
      info: { ...info, transient: false },
      reason: `gave up after ${job.attempts} attempts (JOB_MAX_ATTEMPTS)`,
    };
  }
  const wait = Math.max(backoffMs(job.attempts, limits.backoff, random), retryAfterMs ?? 0);
  const runAt = now + wait;
  if (runAt - job.createdAt > limits.maxAgeMs) {
    return {
      kind: 'dead',
      info: { ...info, transient: false },
      reason: `gave up: the next attempt would be after JOB_MAX_AGE_H`,
    };
  }
  return { kind: 'retry', runAt, info };
}

/**
 * Before running a claimed job: a job that keeps losing its lease (the worker crashed, e.g. the
 * handler kills the process) must not loop forever. (Age is checked when a failure is recorded,
 * so a queue that was simply stopped for days does not dead-letter work that never ran.)
 */
export function decideBeforeRun(
  job: Pick<Job, 'attempts' | 'lastError'>,
  now: number,
  limits: Pick<RetryLimits, 'maxAttempts'>,
): { run: true } | { run: false; info: JobErrorInfo } {
  if (job.attempts > limits.maxAttempts) {
    return {
      run: false,
      info: {
        code: 'LEASE_LOST_TOO_OFTEN',
        message: `claimed ${job.attempts} times without finishing (a worker died or stalled each time); last error: ${
          job.lastError?.message ?? 'none'
        }`,
        transient: false,
        attempt: job.attempts,
        at: now,
      },
    };
  }
  return { run: true };
}

// ── pagination ──────────────────────────────────────────────────────────────────────────────

export function encodeCursor(finishedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([finishedAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { finishedAt: number; id: string } | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') {
      return { finishedAt: v[0], id: v[1] };
    }
  } catch {
    /* fall through */
  }
  return null;
}
