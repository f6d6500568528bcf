/**
 * Jobs: accept records (enqueue), hand due jobs to workers (claim, a lease), and take their
 * outcome (heartbeat, complete, fail, release), fenced by the attempt number. Which clock judges
 * leases and due-ness: see `jobs/types.ts`.
 */
import type { AuditEntry, ClaimOptions, EnqueueInput, EnqueueResult, FailInput, Job } from '../../types.js';

export interface JobStore {
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
}
