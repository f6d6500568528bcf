/**
 * The durable queue's vocabulary and the one contract both store adapters (SQLite, PostgreSQL)
 * satisfy. Times are epoch milliseconds everywhere; the caller passes `now`.
 *
 * Which clock judges leases and due-ness (`leaseUntil`, `runAt`, named leases):
 * - SQLite trusts the caller's `now`: one file is one machine, so every caller reads one clock.
 * - PostgreSQL trusts the database's clock (`now()` in SQL): replicas' clocks differ, and a lease
 *   judged by each replica's own clock is stolen by one that runs ahead (or written already
 *   expired by one that runs behind). An absolute time the caller passes (`runAt`, `retryAt`,
 *   `leaseUntil`) counts only as its distance from the caller's `now`, applied to the database's.
 * Record times (`createdAt`, `updatedAt`, `finishedAt`, audit, retention) are the caller's in both.
 */

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

/** Shared throttle state of the F&O governor (structural: the d365 client declares the same). */
export interface PauseState {
  /** Epoch ms until which the scope is paused; 0 when never paused (may be in the past). */
  getPausedUntil(scope: string): Promise<number>;
  /** Raise the pause to at least `untilMs`; never shortens it; returns the resulting value. */
  extendPause(scope: string, untilMs: number): Promise<number>;
  /**
   * Pushes every pause end another replica stores for `scope` as it is committed (PostgreSQL:
   * LISTEN/NOTIFY); absent where one process is the only writer (SQLite). Returns the unsubscribe.
   */
  subscribePause?(scope: string, onExtended: (untilMs: number) => void): () => void;
}

export interface Store extends PauseState {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';

  // ── jobs ────────────────────────────────────────────────────────────────────────────────
  enqueue<P>(input: EnqueueInput<P>, now: number): Promise<EnqueueResult<P>>;
  /** All in one transaction: every record is durable (or none is) when the promise resolves. */
  enqueueMany<P>(inputs: readonly EnqueueInput<P>[], now: number): Promise<EnqueueResult<P>[]>;
  /** Claim due jobs (queued and due with no running sibling, or running with an expired lease). */
  claim(opts: ClaimOptions): Promise<Job[]>;
  /**
   * Extend a running job's lease to `leaseUntil` (PostgreSQL: `leaseUntil - now` from the
   * database's now); false when the job is no longer ours (re-claimed, finished).
   */
  heartbeat(id: string, attempt: number, leaseUntil: number, now: number): Promise<boolean>;
  /** Mark done; false when the job is no longer ours. Older dead letters of the key are closed. */
  complete(id: string, attempt: number, now: number): Promise<boolean>;
  /** Retry (retryAt set) or dead-letter it; false when the job is no longer ours. */
  fail(input: FailInput): Promise<boolean>;
  /** Give a claimed job back untouched (graceful stop): queued, due now, the claim not counted. */
  release(id: string, attempt: number, now: number): Promise<boolean>;
  getJob(id: string): Promise<Job | null>;
  getAudit(id: string): Promise<AuditEntry[]>;

  // ── dead letters ────────────────────────────────────────────────────────────────────────
  listDeadLetters(
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string | null },
  ): Promise<Page<Job>>;
  replay(id: string, opts: { now: number; actor?: string | null }): Promise<ReplayResult>;
  replayMany(
    filter: DeadLetterFilter,
    opts: { now: number; actor?: string | null; limit: number },
  ): Promise<ReplayResult[]>;
  discard(id: string, opts: { now: number; reason: string; actor?: string | null }): Promise<Job>;

  // ── housekeeping, metrics ───────────────────────────────────────────────────────────────
  purge(opts: PurgeOptions): Promise<number>;
  stats(): Promise<QueueStats>;

  // ── scheduler ───────────────────────────────────────────────────────────────────────────
  /**
   * Record `slotMs` as the last fired slot of `schedule` if it is newer than the recorded one.
   * true for exactly one caller per slot across all replicas and restarts.
   */
  claimScheduleSlot(schedule: string, slotMs: number, now: number): Promise<boolean>;
  /** Last recorded slot, or null when the schedule never fired. */
  getScheduleSlot(schedule: string): Promise<number | null>;
  /** A named lease (leadership): true when `owner` holds it for `ttlMs` from now (see the clocks above). */
  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  // ── idempotency ledger / key-value ──────────────────────────────────────────────────────
  ledgerGet<T = unknown>(ns: string, key: string): Promise<T | undefined>;
  /**
   * First writer wins: stores `value` when nothing is stored yet and returns what is stored
   * afterwards (yours, or the earlier one). `{ overwrite: true }` replaces instead.
   */
  ledgerPut<T = unknown>(ns: string, key: string, value: T, opts?: { overwrite?: boolean }): Promise<T>;
  /**
   * Next number of `sequence` within [start, end], atomically across replicas; throws
   * `NumberRangeExhaustedError` when the range is used up. The allocation is committed without
   * waiting for the disk: it becomes durable with the next durable write (the log is written in
   * order), so a caller stores the number durably (`ledgerPut`) before sending it anywhere.
   */
  allocateNumber(sequence: string, start: number, end: number): Promise<number>;

  // ── lifecycle ───────────────────────────────────────────────────────────────────────────
  /** Readiness: resolves when the store answers a trivial query; throws StoreUnavailableError. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
