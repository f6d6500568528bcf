/** Jobs on SQLite: one transaction per call; leases and due-ness on the caller's clock (one machine). */
import { randomUUID } from 'node:crypto';
import { decideEnqueue } from '../../decisions.js';
import type { AuditEntry, EnqueueInput, EnqueueResult, Job } from '../../types.js';
import type { SqliteConnection } from '../sqlite/connection.js';
import type { JobStore } from './job-store.js';
import { failArgs, lockOrder, newJob, rowToAudit, rowToJob, type AuditRow, type JobRow } from './rows.js';

/** One audit row (dead letters write them too). */
export function writeAudit(
  c: SqliteConnection,
  jobId: string,
  at: number,
  action: AuditEntry['action'],
  actor: string | null,
  detail: string | null,
): void {
  c.st('INSERT INTO job_audit (job_id, at, action, actor, detail) VALUES (?, ?, ?, ?, ?)').run(
    jobId,
    at,
    action,
    actor,
    detail,
  );
}

/** What the stale-version guard needs to know about a key (replay asks too). */
export function keyFacts(
  c: SqliteConnection,
  flow: string,
  key: string,
): { lastDoneVersion: string | null; newestDeadVersion: string | null } {
  const k = c.st('SELECT last_done_version FROM job_keys WHERE flow = ? AND key = ?').get(flow, key) as
    { last_done_version: string | null } | undefined;
  const d = c
    .st("SELECT MAX(version) AS v FROM jobs WHERE flow = ? AND key = ? AND state = 'dead'")
    .get(flow, key) as { v: string | null };
  return { lastDoneVersion: k?.last_done_version ?? null, newestDeadVersion: d.v };
}

const ACTIVE_OR_SAME =
  "SELECT * FROM jobs WHERE flow = ? AND key = ? AND (version = ? OR state IN ('queued', 'running'))";

export function sqliteJobs(c: SqliteConnection): JobStore {
  const insertJob = (job: Job): void => {
    c.st(
      `INSERT INTO jobs (id, flow, key, version, payload, state, attempts, run_at, lease_until, last_error,
         error_code, created_at, updated_at, finished_at, note)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, NULL, ?, ?, ?, ?)`,
    ).run(
      job.id,
      job.flow,
      job.key,
      job.version,
      JSON.stringify(job.payload),
      job.state,
      job.runAt,
      job.createdAt,
      job.updatedAt,
      job.finishedAt,
      job.note,
    );
  };

  const enqueueOne = <P>(input: EnqueueInput<P>, now: number): EnqueueResult<P> => {
    const rows = (c.st(ACTIVE_OR_SAME).all(input.flow, input.key, input.version) as JobRow[]).map((r) =>
      rowToJob<P>(r),
    );
    const decision = decideEnqueue(
      {
        sameVersion: rows.find((j) => j.version === input.version) ?? null,
        queued: rows.find((j) => j.state === 'queued') ?? null,
        running: rows.find((j) => j.state === 'running') ?? null,
        ...keyFacts(c, input.flow, input.key),
      },
      input.version,
    );
    if (decision.outcome === 'duplicate') return { job: decision.existing as Job<P>, outcome: 'duplicate' };
    if (decision.outcome === 'stale') {
      const job = newJob(randomUUID(), input, now, 'superseded', `stale: ${decision.note}`);
      insertJob(job);
      return { job, outcome: 'stale' };
    }
    if (decision.supersede) {
      const note = `superseded by version ${input.version}`;
      c.st(
        "UPDATE jobs SET state = 'superseded', finished_at = ?, updated_at = ?, note = ? WHERE id = ? AND state = 'queued'",
      ).run(now, now, note, decision.supersede.id);
    }
    const job = newJob(randomUUID(), input, now, 'queued', null);
    insertJob(job);
    return { job, outcome: decision.outcome };
  };

  return {
    enqueue<P>(input: EnqueueInput<P>, now: number): Promise<EnqueueResult<P>> {
      return c.tx(() => enqueueOne(input, now));
    },

    enqueueMany<P>(inputs: readonly EnqueueInput<P>[], now: number): Promise<EnqueueResult<P>[]> {
      return c.tx(() => {
        const out = new Array<EnqueueResult<P>>(inputs.length);
        for (const i of lockOrder(inputs)) out[i] = enqueueOne(inputs[i]!, now);
        return out;
      });
    },

    claim(opts) {
      if (opts.flows.length === 0 || opts.limit <= 0) return Promise.resolve([]);
      const flows = opts.flows.map(() => '?').join(', ');
      return c.tx(() => {
        const expired = c
          .st(
            `SELECT id FROM jobs WHERE state = 'running' AND lease_until < ? AND flow IN (${flows})
         ORDER BY lease_until LIMIT ?`,
          )
          .all(opts.now, ...opts.flows, opts.limit) as Array<{ id: string }>;
        const due = c
          .st(
            `SELECT id FROM jobs j WHERE state = 'queued' AND run_at <= ? AND flow IN (${flows})
           AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.flow = j.flow AND r.key = j.key AND r.state = 'running')
         ORDER BY run_at LIMIT ?`,
          )
          .all(opts.now, ...opts.flows, opts.limit - expired.length) as Array<{ id: string }>;
        const update = c.st(
          `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
         WHERE id = ? RETURNING *`,
        );
        return [...expired, ...due].map(({ id }) =>
          rowToJob(update.get(opts.now + opts.leaseMs, opts.now, id) as JobRow),
        );
      }, false);
    },

    heartbeat(id, attempt, leaseUntil, _now) {
      return c.tx(
        () =>
          c
            .st(
              "UPDATE jobs SET lease_until = MAX(lease_until, ?) WHERE id = ? AND state = 'running' AND attempts = ?",
            )
            .run(leaseUntil, id, attempt).changes === 1,
        false,
      );
    },

    complete(id, attempt, now) {
      return c.tx(() => {
        const row = c
          .st(
            `UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND attempts = ? RETURNING flow, key, version`,
          )
          .get(now, now, id, attempt) as { flow: string; key: string; version: string } | undefined;
        if (!row) return false;
        c.st(
          `INSERT INTO job_keys (flow, key, last_done_version) VALUES (?, ?, ?)
         ON CONFLICT (flow, key) DO UPDATE SET last_done_version = excluded.last_done_version
         WHERE job_keys.last_done_version IS NULL OR job_keys.last_done_version < excluded.last_done_version`,
        ).run(row.flow, row.key, row.version);
        // Older dead letters of this key are settled by the newer write: close them, with a trail.
        const note = `resolved: newer version ${row.version} completed`;
        const closed = c
          .st(
            `UPDATE jobs SET state = 'superseded', finished_at = ?, updated_at = ?, note = ?
         WHERE flow = ? AND key = ? AND state = 'dead' AND version < ? RETURNING id`,
          )
          .all(now, now, note, row.flow, row.key, row.version) as Array<{ id: string }>;
        for (const x of closed) writeAudit(c, x.id, now, 'superseded', null, note);
        return true;
      }, false);
    },

    fail(input) {
      return c.tx(() => {
        const dead = input.retryAt === undefined;
        const changed = c
          .st(
            `UPDATE jobs SET state = ?, run_at = ?, lease_until = NULL, last_error = ?, error_code = ?,
           updated_at = ?, finished_at = ?
         WHERE id = ? AND state = 'running' AND attempts = ?`,
          )
          .run(...failArgs(input, input.retryAt ?? input.now)).changes;
        if (changed === 1 && dead)
          writeAudit(c, input.id, input.now, 'dead', null, `${input.error.code}: ${input.error.message}`);
        return changed === 1;
      });
    },

    release(id, attempt, now) {
      return c.tx(() => {
        const changed = c
          .st(
            `UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_until = NULL, run_at = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND attempts = ?`,
          )
          .run(now, now, id, attempt).changes;
        if (changed === 1) writeAudit(c, id, now, 'released', null, 'worker stopped before finishing');
        return changed === 1;
      }, false);
    },

    getJob(id) {
      return c.read(() => {
        const r = c.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
        return r ? rowToJob(r) : null;
      });
    },

    getAudit(id) {
      return c.read(() =>
        (c.st('SELECT * FROM job_audit WHERE job_id = ? ORDER BY at, rowid').all(id) as AuditRow[]).map(
          rowToAudit,
        ),
      );
    },
  };
}
