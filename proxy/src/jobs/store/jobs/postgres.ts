/**
 * Jobs on PostgreSQL:
 *
 * - claiming: `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming `UPDATE`, so replicas never
 *   wait on each other and never take the same row;
 * - one key at a time: enqueue, complete and replay first lock the key's `job_keys` row (always in
 *   that order: key row, then job rows — so they cannot deadlock with each other), which makes
 *   "at most one queued and one running job per key" hold across replicas;
 * - one clock for every replica: leases and due-ness (`run_at`) are judged by the database's
 *   clock (`clock_ms()`, see ../migrations.ts), never by a replica's own. Where the interface
 *   passes the caller's `now` with an absolute time (`runAt`, `retryAt`, `leaseUntil`), only their
 *   difference is used, as a duration from the database's now. Record times (`created_at`,
 *   `updated_at`, `finished_at`, audit) stay the caller's.
 */
import { randomUUID } from 'node:crypto';
import { decideEnqueue } from '../../decisions.js';
import type { AuditEntry, ClaimOptions, EnqueueInput, EnqueueResult, FailInput, Job } from '../../types.js';
import type { Db, PostgresConnection } from '../postgres/connection.js';
import type { JobStore } from './job-store.js';
import { failArgs, lockOrder, newJob, rowToAudit, rowToJob, type AuditRow, type JobRow } from './rows.js';

interface PendingCompletion {
  id: string;
  attempt: number;
  now: number;
  resolve(done: boolean): void;
  reject(err: unknown): void;
}

/** Most completions written by one statement. */
const COMPLETE_BATCH = 500;

/** One audit row (dead letters write them too). */
export async function writeAudit(
  db: Db,
  jobId: string,
  at: number,
  action: AuditEntry['action'],
  actor: string | null,
  detail: string | null,
): Promise<void> {
  await db.query('INSERT INTO job_audit (job_id, at, action, actor, detail) VALUES ($1, $2, $3, $4, $5)', [
    jobId,
    at,
    action,
    actor,
    detail,
  ]);
}

/** Lock the key (creating its row on first use): serializes everything that changes one key. */
export async function lockKey(db: Db, flow: string, key: string): Promise<string | null> {
  // The no-op DO UPDATE locks the row (new or existing) and returns it in one round trip.
  const { rows } = await db.query<{ last_done_version: string | null }>(
    `INSERT INTO job_keys (flow, key) VALUES ($1, $2)
     ON CONFLICT (flow, key) DO UPDATE SET flow = excluded.flow RETURNING last_done_version`,
    [flow, key],
  );
  return rows[0]?.last_done_version ?? null;
}

export function postgresJobs(c: PostgresConnection): JobStore {
  const completions: PendingCompletion[] = [];
  let completing = false;

  /**
   * Reads take no row locks: the key row lock (held) serializes enqueue and replay of a key;
   * claim and complete change rows without the key lock, so the supersede update re-checks the
   * state. Enqueue a batch in a fixed number of statements, whatever its size: lock every key of the
   * batch (one upsert, in key order, so concurrent batches cannot deadlock), read their jobs (one
   * query), decide each input in memory with the same rules and in the same order as one at a
   * time, supersede the queued jobs that lost (one update), insert the new rows (one insert from
   * unnest). Inputs of one key later in the batch see what earlier ones decided.
   */
  async function enqueueBatch<P>(
    db: Db,
    inputs: readonly EnqueueInput<P>[],
    now: number,
  ): Promise<EnqueueResult<P>[]> {
    const keyOf = (flow: string, key: string) => `${flow}\u0000${key}`;
    const distinct = new Map<string, { flow: string; key: string }>();
    for (const i of inputs) distinct.set(keyOf(i.flow, i.key), { flow: i.flow, key: i.key });
    const flows = [...distinct.values()].map((k) => k.flow);
    const keys = [...distinct.values()].map((k) => k.key);
    const locked = await db.query<{
      flow: string;
      key: string;
      last_done_version: string | null;
      db_now: number;
    }>(
      `INSERT INTO job_keys (flow, key)
       SELECT flow, key FROM unnest($1::text[], $2::text[]) AS k(flow, key) ORDER BY flow, key
       ON CONFLICT (flow, key) DO UPDATE SET flow = excluded.flow
       RETURNING flow, key, last_done_version, clock_ms() AS db_now`,
      [flows, keys],
    );
    // An input's runAt is the caller's: keep its distance from the caller's now, on the database's clock.
    const dbNow = locked.rows[0]!.db_now;
    const dueAt = (input: EnqueueInput<P>): EnqueueInput<P> =>
      input.runAt === undefined
        ? { ...input, runAt: dbNow }
        : { ...input, runAt: dbNow + (input.runAt - now) };
    const found = await db.query<JobRow>(
      `SELECT j.* FROM jobs j JOIN unnest($1::text[], $2::text[]) AS k(flow, key) ON j.flow = k.flow AND j.key = k.key
       WHERE j.state IN ('queued', 'running', 'dead') OR j.version = ANY($3::text[])`,
      [flows, keys, [...new Set(inputs.map((i) => i.version))]],
    );
    interface KeyNow {
      lastDone: string | null;
      newestDead: string | null;
      queued: Job | null;
      running: Job | null;
      versions: Map<string, Job>;
    }
    const state = new Map<string, KeyNow>();
    for (const r of locked.rows) {
      state.set(keyOf(r.flow, r.key), {
        lastDone: r.last_done_version,
        newestDead: null,
        queued: null,
        running: null,
        versions: new Map(),
      });
    }
    for (const r of found.rows) {
      const k = state.get(keyOf(r.flow, r.key))!;
      const job = rowToJob(r);
      k.versions.set(job.version, job);
      if (job.state === 'queued') k.queued = job;
      else if (job.state === 'running') k.running = job;
      else if (job.state === 'dead' && (k.newestDead === null || job.version > k.newestDead))
        k.newestDead = job.version;
    }

    const out = new Array<EnqueueResult<P>>(inputs.length);
    const inserts = new Map<string, Job>(); // by id, in decision order
    const supersedeExisting = new Map<string, number>(); // queued job id before the batch → the input that replaces it
    for (const i of lockOrder(inputs)) {
      const input = inputs[i]!;
      const k = state.get(keyOf(input.flow, input.key))!;
      const decision = decideEnqueue(
        {
          sameVersion: k.versions.get(input.version) ?? null,
          queued: k.queued,
          running: k.running,
          lastDoneVersion: k.lastDone,
          newestDeadVersion: k.newestDead,
        },
        input.version,
      );
      if (decision.outcome === 'duplicate') {
        out[i] = { job: decision.existing as Job<P>, outcome: 'duplicate' };
        continue;
      }
      if (decision.outcome === 'stale') {
        const job = newJob(randomUUID(), dueAt(input), now, 'superseded', `stale: ${decision.note}`);
        inserts.set(job.id, job);
        k.versions.set(job.version, job);
        out[i] = { job, outcome: 'stale' };
        continue;
      }
      const job = newJob(randomUUID(), dueAt(input), now, 'queued', null);
      const old = decision.supersede;
      if (old) {
        const earlier = inserts.get(old.id);
        if (earlier) {
          // Queued by an earlier input of this batch: its row is written superseded right away
          // (that input's result keeps the job as it was when it was queued, as one at a time).
          inserts.set(earlier.id, {
            ...earlier,
            state: 'superseded',
            finishedAt: now,
            note: `superseded by version ${input.version}`,
          });
        } else supersedeExisting.set(old.id, i);
      }
      inserts.set(job.id, job);
      k.versions.set(job.version, job);
      k.queued = job;
      out[i] = { job, outcome: decision.outcome };
    }

    if (supersedeExisting.size > 0) {
      const ids = [...supersedeExisting.keys()];
      const notes = ids.map((id) => `superseded by version ${inputs[supersedeExisting.get(id)!]!.version}`);
      const hit = await db.query<{ id: string }>(
        `UPDATE jobs SET state = 'superseded', finished_at = $1, updated_at = $1, note = n.note
         FROM unnest($2::text[], $3::text[]) AS n(id, note) WHERE jobs.id = n.id AND jobs.state = 'queued'
         RETURNING jobs.id`,
        [now, ids, notes],
      );
      const superseded = new Set(hit.rows.map((r) => r.id));
      for (const [id, i] of supersedeExisting) {
        // A worker claimed it in the meantime: it runs, and this version waits behind it.
        if (!superseded.has(id)) out[i] = { ...out[i]!, outcome: 'queued-behind' };
      }
    }
    if (inserts.size > 0) await insertJobs(db, [...inserts.values()]);
    return out;
  }

  /** All rows in one statement (unnest of one array per column). */
  async function insertJobs(db: Db, jobs: readonly Job[]): Promise<void> {
    await db.query(
      `INSERT INTO jobs (id, flow, key, version, payload, state, attempts, run_at, created_at, updated_at, finished_at, note)
       SELECT id, flow, key, version, payload::jsonb, state, 0, run_at, created_at, updated_at, finished_at, note
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                   $8::bigint[], $9::bigint[], $10::bigint[], $11::text[])
         AS t(id, flow, key, version, payload, state, run_at, created_at, updated_at, finished_at, note)`,
      [
        jobs.map((j) => j.id),
        jobs.map((j) => j.flow),
        jobs.map((j) => j.key),
        jobs.map((j) => j.version),
        jobs.map((j) => JSON.stringify(j.payload)),
        jobs.map((j) => j.state),
        jobs.map((j) => j.runAt),
        jobs.map((j) => j.createdAt),
        jobs.map((j) => j.updatedAt),
        jobs.map((j) => j.finishedAt),
        jobs.map((j) => j.note),
      ],
    );
  }

  async function writeCompletions(): Promise<void> {
    completing = true;
    try {
      while (completions.length > 0) {
        const batch = completions.splice(0, COMPLETE_BATCH);
        try {
          const done = await completeBatch(batch);
          for (const c of batch) c.resolve(done.has(c.id));
        } catch (err) {
          for (const c of batch) c.reject(err);
        }
      }
    } finally {
      completing = false;
    }
  }

  /**
   * One statement: mark the jobs done, raise their keys' last completed versions (in key order,
   * as enqueue locks them), close older dead letters of those keys (with an audit row each).
   * Returns the ids that were still ours to complete.
   */
  async function completeBatch(batch: readonly PendingCompletion[]): Promise<Set<string>> {
    const rows = await c.record<{ id: string }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[]) AS i(id, attempt, now)
       ), done AS (
         UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = input.now, updated_at = input.now
         FROM input WHERE jobs.id = input.id AND jobs.state = 'running' AND jobs.attempts = input.attempt
         RETURNING jobs.id, jobs.flow, jobs.key, jobs.version, input.now
       ), raised AS (
         INSERT INTO job_keys (flow, key, last_done_version)
         SELECT flow, key, version FROM done ORDER BY flow, key
         ON CONFLICT (flow, key) DO UPDATE SET last_done_version = excluded.last_done_version
         WHERE job_keys.last_done_version IS NULL OR job_keys.last_done_version < excluded.last_done_version
         RETURNING 1
       ), closed AS (
         UPDATE jobs d SET state = 'superseded', finished_at = done.now, updated_at = done.now,
           note = 'resolved: newer version ' || done.version || ' completed'
         FROM done WHERE d.flow = done.flow AND d.key = done.key AND d.state = 'dead' AND d.version < done.version
         RETURNING d.id, d.note, done.now
       ), audited AS (
         INSERT INTO job_audit (job_id, at, action, actor, detail)
         SELECT id, now, 'superseded', NULL, note FROM closed RETURNING 1
       )
       SELECT id FROM done`, // (every data-modifying CTE runs to completion, read or not)
      [batch.map((c) => c.id), batch.map((c) => c.attempt), batch.map((c) => c.now)],
    );
    return new Set(rows.map((r) => r.id));
  }

  return {
    async enqueue<P>(input: EnqueueInput<P>, now: number): Promise<EnqueueResult<P>> {
      return (await c.tx((db) => enqueueBatch(db, [input], now)))[0]!;
    },

    enqueueMany<P>(inputs: readonly EnqueueInput<P>[], now: number): Promise<EnqueueResult<P>[]> {
      if (inputs.length === 0) return Promise.resolve([]);
      return c.tx((db) => enqueueBatch(db, inputs, now));
    },

    async claim(opts: ClaimOptions): Promise<Job[]> {
      if (opts.flows.length === 0 || opts.limit <= 0) return [];
      // One statement, one round trip: the row locks of SKIP LOCKED last as long as the statement.
      // Expiry, due-ness and the new lease are on the database's clock (the same for every replica).
      const rows = await c.record<JobRow>(
        `WITH expired AS (
           SELECT id FROM jobs WHERE state = 'running' AND lease_until < clock_ms() AND flow = ANY($2::text[])
           ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED
         ), due AS (
           SELECT id FROM jobs j WHERE state = 'queued' AND run_at <= clock_ms() AND flow = ANY($2::text[])
             AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.flow = j.flow AND r.key = j.key AND r.state = 'running')
           ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED
         ), picked AS (
           SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT $3
         )
         UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_until = clock_ms() + $4,
           updated_at = $1
         FROM picked WHERE jobs.id = picked.id
         RETURNING jobs.*`,
        [opts.now, opts.flows, opts.limit, opts.leaseMs],
      );
      return rows.map((r) => rowToJob(r)).sort((a, b) => a.runAt - b.runAt);
    },

    async heartbeat(id: string, attempt: number, leaseUntil: number, now: number): Promise<boolean> {
      const rows = await c.record(
        `UPDATE jobs SET lease_until = GREATEST(lease_until, clock_ms() + $1)
         WHERE id = $2 AND state = 'running' AND attempts = $3
         RETURNING id`,
        [leaseUntil - now, id, attempt],
      );
      return rows.length === 1;
    },

    /**
     * Completions are written in batches: the first waits for nothing, those that arrive while a
     * batch is being written go together in the next one (one statement for up to 500 jobs).
     */
    complete(id: string, attempt: number, now: number): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        completions.push({ id, attempt, now, resolve, reject });
        if (!completing) void writeCompletions();
      });
    },

    fail(input: FailInput): Promise<boolean> {
      return c.tx(async (db) => {
        const dead = input.retryAt === undefined;
        const r = await db.query(
          `UPDATE jobs SET state = $1, run_at = clock_ms() + $2, lease_until = NULL, last_error = $3,
             error_code = $4, updated_at = $5, finished_at = $6
           WHERE id = $7 AND state = 'running' AND attempts = $8 RETURNING id`,
          // the backoff, as a duration on the database's clock
          failArgs(input, (input.retryAt ?? input.now) - input.now),
        );
        if (r.rowCount === 1 && dead) {
          await writeAudit(
            db,
            input.id,
            input.now,
            'dead',
            null,
            `${input.error.code}: ${input.error.message}`,
          );
        }
        return r.rowCount === 1;
      });
    },

    release(id: string, attempt: number, now: number): Promise<boolean> {
      return c.tx(async (db) => {
        const r = await db.query(
          `UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_until = NULL, run_at = clock_ms(),
             updated_at = $1
           WHERE id = $2 AND state = 'running' AND attempts = $3 RETURNING id`,
          [now, id, attempt],
        );
        if (r.rowCount === 1)
          await writeAudit(db, id, now, 'released', null, 'worker stopped before finishing');
        return r.rowCount === 1;
      }, false);
    },

    async getJob(id: string): Promise<Job | null> {
      const rows = await c.q<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
      return rows[0] ? rowToJob(rows[0]) : null;
    },

    async getAudit(id: string): Promise<AuditEntry[]> {
      return (await c.q<AuditRow>('SELECT * FROM job_audit WHERE job_id = $1 ORDER BY at, ctid', [id])).map(
        rowToAudit,
      );
    },
  };
}
