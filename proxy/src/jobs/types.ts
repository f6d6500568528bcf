/**
 * The durable queue's vocabulary and the one contract both store adapters (SQLite, PostgreSQL)
 * satisfy, one small interface per concern. Times are epoch milliseconds everywhere; the caller
 * passes `now`.
 *
 * Which clock judges leases and due-ness (`leaseUntil`, `runAt`, named leases):
 * - SQLite trusts the caller's `now`: one file is one machine, so every caller reads one clock.
 * - PostgreSQL trusts the database's clock (`now()` in SQL): replicas' clocks differ, and a lease
 *   judged by each replica's own clock is stolen by one that runs ahead (or written already
 *   expired by one that runs behind). An absolute time the caller passes (`runAt`, `retryAt`,
 *   `leaseUntil`) counts only as its distance from the caller's `now`, applied to the database's.
 * Record times (`createdAt`, `updatedAt`, `finishedAt`, audit, retention) are the caller's in both.
 */
import type { DeadLetterStore } from './store/dead-letters/dead-letter-store.js';
import type { Housekeeping } from './store/housekeeping/housekeeping.js';
import type { JobStore } from './store/jobs/job-store.js';
import type { NumberLedger } from './store/numbers/number-ledger.js';
import type { PauseState } from './store/pause/pause-state.js';
import type { ScheduleStore } from './store/schedules/schedule-store.js';
import type { TokenIdLedger } from './store/token-ids/token-id-ledger.js';

export type {
  DeadLetterStore,
  Housekeeping,
  JobStore,
  NumberLedger,
  PauseState,
  ScheduleStore,
  TokenIdLedger,
};

export type JobState = 'queued' | 'running' | 'done' | 'dead' | 'superseded' | 'discarded';
export const JOB_STATES: readonly JobState[] = [
  'queued',
  'running',
  'done',
  'dead',
  'superseded',
  'discarded',
];

/** Why a job failed (what `lastError` holds): stable `code`, human `message`, optional details. */
export interface JobErrorInfo {
  code: string;
  message: string;
  details?: unknown;
  /** true when the queue will try again, false when this error made the job dead. */
  transient: boolean;
  /** The attempt this error ended. */
  attempt: number;
  at: number;
}

export interface Job<P = unknown> {
  id: string;
  flow: string;
  /** Identity of the thing written, unique within the flow: a Salesforce Id or an F&O key. */
  key: string;
  /**
   * Sortable string: a newer version compares greater (plain string comparison). Use the record's
   * `SystemModstamp` as ISO-8601 UTC with milliseconds (`2024-05-01T10:00:00.000Z`), or a business
   * event's ControlNumber zero-padded to a fixed width (`padVersion(n)`).
   */
  version: string;
  payload: P;
  state: JobState;
  /** Number of times a worker claimed the job (also the fencing token for complete/fail). */
  attempts: number;
  runAt: number;
  leaseUntil: number | null;
  lastError: JobErrorInfo | null;
  createdAt: number;
  updatedAt: number;
  /** When the job reached done / dead / superseded / discarded. */
  finishedAt: number | null;
  /** Why it was discarded or superseded (dead-letter audit). */
  note: string | null;
}

export interface EnqueueInput<P = unknown> {
  flow: string;
  key: string;
  version: string;
  payload: P;
  /** Earliest start (epoch ms); default now. */
  runAt?: number;
}

export type EnqueueOutcome =
  /** a new job, nothing else for this key was pending */
  | 'enqueued'
  /** the same flow+key+version exists already (any state): nothing changed, that job is returned */
  | 'duplicate'
  /** an older version of the key was still queued: it is now `superseded` and this one replaces it */
  | 'superseded-older'
  /** an older version of the key is running: this one waits behind it */
  | 'queued-behind'
  /** older than a version already completed, queued or running: recorded as `superseded`, never run */
  | 'stale';

export interface EnqueueResult<P = unknown> {
  job: Job<P>;
  outcome: EnqueueOutcome;
}

export interface ClaimOptions {
  now: number;
  limit: number;
  leaseMs: number;
  /** Only claim jobs of these flows (the flows this worker has handlers for). */
  flows: readonly string[];
}

export interface FailInput {
  id: string;
  /** The `attempts` value the worker got from claim: a stale worker cannot change a re-claimed job. */
  attempt: number;
  now: number;
  error: JobErrorInfo;
  /** Set for a retry (state back to queued); unset means dead letter. */
  retryAt?: number;
}

export interface DeadLetterFilter {
  flow?: string;
  code?: string;
  /** Dead since at least this time (epoch ms): `finishedAt >= since`. */
  since?: number;
  /** Dead before this time (epoch ms): `finishedAt < until`. */
  until?: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page; null at the end. */
  nextCursor: string | null;
}

export interface ReplayResult {
  job: Job;
  /**
   * `requeued`: queued again with attempts reset. `superseded`: a newer version of the key is
   * queued, running or done already, so replaying this one would write old data; it is closed as
   * superseded instead (the audit trail says so).
   */
  outcome: 'requeued' | 'superseded';
}

export interface AuditEntry {
  jobId: string;
  at: number;
  action: 'dead' | 'replayed' | 'discarded' | 'superseded' | 'released';
  actor: string | null;
  detail: string | null;
}

export interface QueueStats {
  counts: Array<{ flow: string; state: JobState; count: number }>;
  /** Per flow, the earliest `createdAt` among queued jobs (absent when none is queued). */
  oldestQueued: Array<{ flow: string; createdAt: number }>;
}

export interface PurgeOptions {
  now: number;
  /** done / superseded / discarded rows whose `finishedAt` is older than this many ms are deleted. */
  retentionMs: number;
}

/**
 * The whole store, for wiring (runtime, `openStore`): every concern, one per small interface in
 * `jobs/store/<concern>/` with its SQLite and PostgreSQL halves beside it. Callers depend on the
 * concern they use.
 */
export interface Store
  extends JobStore, DeadLetterStore, Housekeeping, ScheduleStore, NumberLedger, PauseState, TokenIdLedger {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** Readiness: resolves when the store answers a trivial query; throws StoreUnavailableError. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
