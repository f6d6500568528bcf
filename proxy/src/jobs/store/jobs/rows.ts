/** Row ⇄ Job mapping shared by both adapters (SQLite keeps JSON as text, PostgreSQL as jsonb). */
import type { AuditEntry, EnqueueInput, FailInput, Job, JobErrorInfo, JobState } from '../../types.js';

export interface JobRow {
  id: string;
  flow: string;
  key: string;
  version: string;
  payload: unknown;
  state: string;
  attempts: number | string;
  run_at: number | string;
  lease_until: number | string | null;
  last_error: unknown;
  error_code?: string | null;
  created_at: number | string;
  updated_at: number | string;
  finished_at: number | string | null;
  note: string | null;
}

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

export function rowToJob<P = unknown>(r: JobRow): Job<P> {
  return {
    id: r.id,
    flow: r.flow,
    key: r.key,
    version: r.version,
    payload: json(r.payload) as P,
    state: r.state as JobState,
    attempts: num(r.attempts),
    runAt: num(r.run_at),
    leaseUntil: numOrNull(r.lease_until),
    lastError:
      r.last_error === null || r.last_error === undefined ? null : (json(r.last_error) as JobErrorInfo),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    finishedAt: numOrNull(r.finished_at),
    note: r.note,
  };
}

export interface AuditRow {
  job_id: string;
  at: number | string;
  action: string;
  actor: string | null;
  detail: string | null;
}

export function rowToAudit(r: AuditRow): AuditEntry {
  return {
    jobId: r.job_id,
    at: num(r.at),
    action: r.action as AuditEntry['action'],
    actor: r.actor,
    detail: r.detail,
  };
}

/** A fresh job row for an accepted input (queued) or a dropped stale one (superseded). */
export function newJob<P>(
  id: string,
  input: EnqueueInput<P>,
  now: number,
  state: 'queued' | 'superseded',
  note: string | null,
): Job<P> {
  return {
    id,
    flow: input.flow,
    key: input.key,
    version: input.version,
    payload: input.payload,
    state,
    attempts: 0,
    runAt: input.runAt ?? now,
    leaseUntil: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: state === 'superseded' ? now : null,
    note,
  };
}

/**
 * The parameters of both adapters' fail statement, in its order: state, run_at (the dialect's
 * own: SQLite an absolute time, PostgreSQL a duration from the database's now), last_error,
 * error_code, updated_at, finished_at, then the fence (id, attempt).
 */
export function failArgs(input: FailInput, runAt: number): unknown[] {
  const dead = input.retryAt === undefined;
  return [
    dead ? 'dead' : 'queued',
    runAt,
    JSON.stringify(input.error),
    input.error.code,
    input.now,
    dead ? input.now : null,
    input.id,
    input.attempt,
  ];
}

/** Stable order for taking per-key locks (avoids deadlocks between concurrent batches). */
export function lockOrder<P>(inputs: readonly EnqueueInput<P>[]): number[] {
  return inputs
    .map((_, i) => i)
    .sort((a, b) => {
      const x = inputs[a]!;
      const y = inputs[b]!;
      if (x.flow !== y.flow) return x.flow < y.flow ? -1 : 1;
      if (x.key !== y.key) return x.key < y.key ? -1 : 1;
      return a - b;
    });
}
