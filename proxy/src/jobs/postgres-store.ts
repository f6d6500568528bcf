/**
 * PostgreSQL adapter, for several proxy replicas sharing one queue. Same contract as SQLite:
 *
 * - claiming: `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming `UPDATE`, so replicas never
 *   wait on each other and never take the same row;
 * - one key at a time: enqueue, complete and replay first lock the key's `job_keys` row (always in
 *   that order: key row, then job rows — so they cannot deadlock with each other), which makes
 *   "at most one queued and one running job per key" hold across replicas;
 * - deadlocks / serialization failures (40P01, 40001) are retried a few times, connection-level
 *   failures become `StoreUnavailableError` (HTTP 503);
 * - one clock for every replica: leases (jobs' and named ones) and due-ness (`run_at`) are judged
 *   by the database's clock (`clock_ms()`, see migrations.ts), never by a replica's own. Where the
 *   interface passes the caller's `now` with an absolute time (`runAt`, `retryAt`, `leaseUntil`),
 *   only their difference is used, as a duration from the database's now. Record times
 *   (`created_at`, `updated_at`, `finished_at`, audit) stay the caller's.
 *
 * All tables live in one schema (option `schema`, or `?schema=` in the URL; default `public`).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { decideEnqueue, decideReplay, decodeCursor, encodeCursor } from './decisions.js';
import {
  JobNotFoundError,
  JobStateConflictError,
  NumberRangeExhaustedError,
  StoreUnavailableError,
} from './errors.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { PAUSE_CHANNEL, PauseListener } from './pause-notifications.js';
import { TOKEN_ID_PURGE_EVERY_MS, TOKEN_ID_SQL, type TokenIdLedger } from './token-ids.js';
import { lockOrder, newJob, rowToAudit, rowToJob, type AuditRow, type JobRow } from './rows.js';
import type {
  AuditEntry,
  ClaimOptions,
  DeadLetterFilter,
  EnqueueInput,
  EnqueueResult,
  FailInput,
  Job,
  Page,
  PurgeOptions,
  QueueStats,
  ReplayResult,
  Store,
} from './types.js';

export interface PostgresStoreOptions {
  /** Schema holding the tables (created when missing). Default: `?schema=` of the URL, else `public`. */
  schema?: string;
  /** Pool size per process. */
  maxConnections?: number;
  /** Give up connecting after this long (ms). */
  connectTimeoutMs?: number;
}

type Db = pg.PoolClient;

interface PendingCompletion {
  id: string;
  attempt: number;
  now: number;
  resolve(done: boolean): void;
  reject(err: unknown): void;
}

/** Most completions written by one statement. */
const COMPLETE_BATCH = 500;

/** SQLSTATE classes that mean the database is unreachable or refusing writes (→ 503). */
function translate(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  const e = err as { code?: unknown; message?: string } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const unavailable =
    /^(08|53|57P0|58)/.test(code) || // connection exception, insufficient resources, admin shutdown, system error
    code === '25006' || // read_only_sql_transaction (a standby, or default_transaction_read_only)
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE)$/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(
      e?.message ?? '',
    );
  return unavailable
    ? new StoreUnavailableError(`${code || 'connection'}: ${e?.message ?? String(err)}`, err)
    : err;
}

const RETRYABLE = new Set(['40P01', '40001']);

/** BIGINT comes back as a JS number (epoch ms fit easily); jsonb is parsed by pg already. */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const u = new URL(url);
  const schema = opts.schema ?? u.searchParams.get('schema') ?? 'public';
  u.searchParams.delete('schema');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(`Invalid PostgreSQL schema name "${schema}" (lowercase letters, digits, _)`);
  }
  const pool = new pg.Pool({
    connectionString: u.toString(),
    max: opts.maxConnections ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    options: `-c search_path=${schema}`,
    types: typeParsers,
  });
  // Progress records (claim, heartbeat, complete) commit with synchronous_commit = off, each
  // in one round trip: a database crash may lose the last of them, which only makes a job run once more.
  const progress = new pg.Pool({
    connectionString: u.toString(),
    max: Math.max(2, Math.ceil((opts.maxConnections ?? 10) / 2)),
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    options: `-c search_path=${schema} -c synchronous_commit=off`,
    types: typeParsers,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  progress.on('error', () => {});
  const store = new PostgresStore(
    pool,
    progress,
    schema,
    new PauseListener({ connectionString: u.toString(), schema }),
  );
  try {
    await store.migrate();
  } catch (err) {
    await pool.end().catch(() => {});
    await progress.end().catch(() => {});
    throw translate(err);
  }
  return store;
}

class PostgresStore implements Store, TokenIdLedger {
  readonly kind = 'postgres' as const;
  private closed = false;

  private completions: PendingCompletion[] = [];
  private completing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly progress: pg.Pool,
    readonly schema: string,
    private readonly pauseListener: PauseListener,
  ) {}

  async migrate(): Promise<void> {
    await this.tx(async (db) => {
      // One replica migrates at a time; the others wait, then find nothing left to do.
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fobridge-migrate:${this.schema}`]);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await db.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const m of POSTGRES_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await db.query(m.sql);
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
    });
  }

  /**
   * One transaction, retried on deadlock / serialization failure. `durable: false` commits with
   * `synchronous_commit = off` — only for progress records (claim, heartbeat, complete, release):
   * a database crash may lose the last of them, which only makes a job run once more.
   */
  private async tx<T>(fn: (db: Db) => Promise<T>, durable = true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: Db;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw translate(err);
      }
      // A connection that breaks while checked out (the server restarts: 57P01) emits 'error' on
      // this client, which the pool's own listener does not cover; unheard, it ends the process.
      // Note it, fail the transaction as usual, and destroy the client instead of pooling it.
      let broken: unknown;
      const onError = (e: unknown) => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        if (!durable) await client.query('SET LOCAL synchronous_commit = off');
        const out = await fn(client);
        await client.query('COMMIT');
        client.off('error', onError);
        client.release();
        return out;
      } catch (err) {
        if (!broken) await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
        client.off('error', onError);
        client.release(broken || isConnectionError(err) ? true : undefined);
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) continue;
        throw translate(err);
      }
    }
  }

  private async q<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, args)).rows;
    } catch (err) {
      throw translate(err);
    }
  }

  /** One statement on the progress pool (no durable commit wait), retried on deadlock. */
  private async record<R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.progress.query<R>(sql, args)).rows;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) continue;
        throw translate(err);
      }
    }
  }

  private async audit(
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
  private async lockKey(db: Db, flow: string, key: string): Promise<string | null> {
    // The no-op DO UPDATE locks the row (new or existing) and returns it in one round trip.
    const { rows } = await db.query<{ last_done_version: string | null }>(
      `INSERT INTO job_keys (flow, key) VALUES ($1, $2)
       ON CONFLICT (flow, key) DO UPDATE SET flow = excluded.flow RETURNING last_done_version`,
      [flow, key],
    );
    return rows[0]?.last_done_version ?? null;
  }

  /**
   * Reads take no row locks: the key row lock (held) serializes enqueue and replay of a key;
   * claim and complete change rows without the key lock, so the supersede update re-checks the
   * state. Enqueue a batch in a fixed number of statements, whatever its size: lock every key of the
   * batch (one upsert, in key order, so concurrent batches cannot deadlock), read their jobs (one
   * query), decide each input in memory with the same rules and in the same order as one at a
   * time, supersede the queued jobs that lost (one update), insert the new rows (one insert from
   * unnest). Inputs of one key later in the batch see what earlier ones decided.
   */
  private async enqueueBatch<P>(
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
    if (inserts.size > 0) await this.insertJobs(db, [...inserts.values()]);
    return out;
  }

  /** All rows in one statement (unnest of one array per column). */
  private async insertJobs(db: Db, jobs: readonly Job[]): Promise<void> {
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

  async enqueue<P>(input: EnqueueInput<P>, now: number): Promise<EnqueueResult<P>> {
    return (await this.tx((db) => this.enqueueBatch(db, [input], now)))[0]!;
  }

  enqueueMany<P>(inputs: readonly EnqueueInput<P>[], now: number): Promise<EnqueueResult<P>[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return this.tx((db) => this.enqueueBatch(db, inputs, now));
  }

  async claim(opts: ClaimOptions): Promise<Job[]> {
    if (opts.flows.length === 0 || opts.limit <= 0) return [];
    // One statement, one round trip: the row locks of SKIP LOCKED last as long as the statement.
    // Expiry, due-ness and the new lease are on the database's clock (the same for every replica).
    const rows = await this.record<JobRow>(
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
  }

  async heartbeat(id: string, attempt: number, leaseUntil: number, now: number): Promise<boolean> {
    const rows = await this.record(
      `UPDATE jobs SET lease_until = GREATEST(lease_until, clock_ms() + $1)
       WHERE id = $2 AND state = 'running' AND attempts = $3
       RETURNING id`,
      [leaseUntil - now, id, attempt],
    );
    return rows.length === 1;
  }

  /**
   * Completions are written in batches: the first waits for nothing, those that arrive while a
   * batch is being written go together in the next one (one statement for up to 500 jobs).
   */
  complete(id: string, attempt: number, now: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.completions.push({ id, attempt, now, resolve, reject });
      if (!this.completing) void this.writeCompletions();
    });
  }

  private async writeCompletions(): Promise<void> {
    this.completing = true;
    try {
      while (this.completions.length > 0) {
        const batch = this.completions.splice(0, COMPLETE_BATCH);
        try {
          const done = await this.completeBatch(batch);
          for (const c of batch) c.resolve(done.has(c.id));
        } catch (err) {
          for (const c of batch) c.reject(err);
        }
      }
    } finally {
      this.completing = false;
    }
  }

  /**
   * One statement: mark the jobs done, raise their keys' last completed versions (in key order,
   * as enqueue locks them), close older dead letters of those keys (with an audit row each).
   * Returns the ids that were still ours to complete.
   */
  private async completeBatch(batch: readonly PendingCompletion[]): Promise<Set<string>> {
    const rows = await this.record<{ id: string }>(
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

  fail(input: FailInput): Promise<boolean> {
    return this.tx(async (db) => {
      const dead = input.retryAt === undefined;
      const r = await db.query(
        `UPDATE jobs SET state = $1, run_at = clock_ms() + $2, lease_until = NULL, last_error = $3,
           error_code = $4, updated_at = $5, finished_at = $6
         WHERE id = $7 AND state = 'running' AND attempts = $8 RETURNING id`,
        [
          dead ? 'dead' : 'queued',
          (input.retryAt ?? input.now) - input.now, // the backoff, as a duration on the database's clock
          JSON.stringify(input.error),
          input.error.code,
          input.now,
          dead ? input.now : null,
          input.id,
          input.attempt,
        ],
      );
      if (r.rowCount === 1 && dead) {
        await this.audit(
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
  }

  release(id: string, attempt: number, now: number): Promise<boolean> {
    return this.tx(async (db) => {
      const r = await db.query(
        `UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_until = NULL, run_at = clock_ms(),
           updated_at = $1
         WHERE id = $2 AND state = 'running' AND attempts = $3 RETURNING id`,
        [now, id, attempt],
      );
      if (r.rowCount === 1)
        await this.audit(db, id, now, 'released', null, 'worker stopped before finishing');
      return r.rowCount === 1;
    }, false);
  }

  async getJob(id: string): Promise<Job | null> {
    const rows = await this.q<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return rows[0] ? rowToJob(rows[0]) : null;
  }

  async getAudit(id: string): Promise<AuditEntry[]> {
    return (await this.q<AuditRow>('SELECT * FROM job_audit WHERE job_id = $1 ORDER BY at, ctid', [id])).map(
      rowToAudit,
    );
  }

  private deadWhere(filter: DeadLetterFilter, args: unknown[]): string {
    const parts = ["state = 'dead'"];
    const p = (v: unknown) => (args.push(v), `$${args.length}`);
    if (filter.flow !== undefined) parts.push(`flow = ${p(filter.flow)}`);
    if (filter.code !== undefined) parts.push(`error_code = ${p(filter.code)}`);
    if (filter.since !== undefined) parts.push(`finished_at >= ${p(filter.since)}`);
    if (filter.until !== undefined) parts.push(`finished_at < ${p(filter.until)}`);
    return parts.join(' AND ');
  }

  async listDeadLetters(
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string | null },
  ): Promise<Page<Job>> {
    const args: unknown[] = [];
    let sql = `SELECT * FROM jobs WHERE ${this.deadWhere(filter, args)}`;
    const c = page.cursor ? decodeCursor(page.cursor) : null;
    if (c) {
      args.push(c.finishedAt, c.id);
      sql += ` AND (finished_at < $${args.length - 1} OR (finished_at = $${args.length - 1} AND id < $${args.length}))`;
    }
    args.push(page.limit + 1);
    sql += ` ORDER BY finished_at DESC, id DESC LIMIT $${args.length}`;
    const rows = (await this.q<JobRow>(sql, args)).map((r) => rowToJob(r));
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > page.limit && last ? encodeCursor(last.finishedAt ?? 0, last.id) : null,
    };
  }

  private async replayOne(db: Db, id: string, now: number, actor: string | null): Promise<ReplayResult> {
    const found = await db.query<{ flow: string; key: string }>('SELECT flow, key FROM jobs WHERE id = $1', [
      id,
    ]);
    const k = found.rows[0];
    if (!k) throw new JobNotFoundError(id);
    const lastDoneVersion = await this.lockKey(db, k.flow, k.key);
    const rows = (
      await db.query<JobRow>(
        "SELECT * FROM jobs WHERE flow = $1 AND key = $2 AND (id = $3 OR state IN ('queued', 'running'))",
        [k.flow, k.key, id],
      )
    ).rows.map((r) => rowToJob(r));
    // Lock the dead letter itself (after the key: the same order as everywhere else).
    const locked = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1 FOR UPDATE', [id]);
    const dead = locked.rows[0] ? rowToJob(locked.rows[0]) : rows.find((j) => j.id === id)!;
    if (dead.state !== 'dead') throw new JobStateConflictError(id, dead.state, 'replayed');
    const queued = rows.find((j) => j.state === 'queued') ?? null;
    const d = decideReplay(dead, {
      queued,
      running: rows.find((j) => j.state === 'running') ?? null,
      lastDoneVersion,
    });
    if (!d.requeue) {
      const r = await db.query<JobRow>(
        "UPDATE jobs SET state = 'superseded', note = $1, finished_at = $2, updated_at = $2 WHERE id = $3 RETURNING *",
        [d.note, now, id],
      );
      await this.audit(db, id, now, 'superseded', actor, d.note);
      return { job: rowToJob(r.rows[0]!), outcome: 'superseded' };
    }
    if (queued) {
      await db.query(
        "UPDATE jobs SET state = 'superseded', note = $1, finished_at = $2, updated_at = $2 WHERE id = $3",
        [`superseded by replayed version ${dead.version}`, now, queued.id],
      );
    }
    const r = await db.query<JobRow>(
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = clock_ms(), lease_until = NULL,
         finished_at = NULL, updated_at = $1, note = $2 WHERE id = $3 RETURNING *`,
      [now, `replayed${actor ? ` by ${actor}` : ''}`, id],
    );
    await this.audit(
      db,
      id,
      now,
      'replayed',
      actor,
      `after ${dead.attempts} attempts; last error ${dead.lastError?.code ?? '-'}`,
    );
    return { job: rowToJob(r.rows[0]!), outcome: 'requeued' };
  }

  replay(id: string, opts: { now: number; actor?: string | null }): Promise<ReplayResult> {
    return this.tx((db) => this.replayOne(db, id, opts.now, opts.actor ?? null));
  }

  async replayMany(
    filter: DeadLetterFilter,
    opts: { now: number; actor?: string | null; limit: number },
  ): Promise<ReplayResult[]> {
    const args: unknown[] = [];
    const where = this.deadWhere(filter, args);
    args.push(opts.limit);
    const ids = await this.q<{ id: string }>(
      `SELECT id FROM jobs WHERE ${where} ORDER BY finished_at, id LIMIT $${args.length}`,
      args,
    );
    const out: ReplayResult[] = [];
    // One transaction per dead letter: a bulk replay never holds many key locks at once.
    for (const { id } of ids) {
      try {
        out.push(await this.tx((db) => this.replayOne(db, id, opts.now, opts.actor ?? null)));
      } catch (err) {
        // Replayed or discarded by someone else meanwhile: not ours to report.
        if (err instanceof JobStateConflictError || err instanceof JobNotFoundError) continue;
        throw err;
      }
    }
    return out;
  }

  discard(id: string, opts: { now: number; reason: string; actor?: string | null }): Promise<Job> {
    return this.tx(async (db) => {
      const cur = await db.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1 FOR UPDATE', [id]);
      const state = cur.rows[0]?.state;
      if (state === undefined) throw new JobNotFoundError(id);
      if (state !== 'dead') throw new JobStateConflictError(id, state, 'discarded');
      const r = await db.query<JobRow>(
        "UPDATE jobs SET state = 'discarded', note = $1, finished_at = $2, updated_at = $2 WHERE id = $3 RETURNING *",
        [`discarded: ${opts.reason}`, opts.now, id],
      );
      await this.audit(db, id, opts.now, 'discarded', opts.actor ?? null, opts.reason);
      return rowToJob(r.rows[0]!);
    });
  }

  async purge(opts: PurgeOptions): Promise<number> {
    const cutoff = opts.now - opts.retentionMs;
    let total = 0;
    for (;;) {
      const n = await this.tx(async (db) => {
        const del = await db.query<{ id: string }>(
          `DELETE FROM jobs WHERE id IN (
             SELECT id FROM jobs WHERE state IN ('done', 'superseded', 'discarded') AND finished_at < $1
             LIMIT 2000 FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [cutoff],
        );
        if (del.rows.length > 0) {
          await db.query('DELETE FROM job_audit WHERE job_id = ANY($1::text[])', [del.rows.map((r) => r.id)]);
        }
        return del.rows.length;
      });
      total += n;
      if (n < 2000) return total;
    }
  }

  async stats(): Promise<QueueStats> {
    const counts = await this.q<{ flow: string; state: Job['state']; count: string }>(
      'SELECT flow, state, COUNT(*) AS count FROM jobs GROUP BY flow, state',
    );
    const oldest = await this.q<{ flow: string; created_at: number }>(
      "SELECT flow, MIN(created_at) AS created_at FROM jobs WHERE state = 'queued' GROUP BY flow",
    );
    return {
      counts: counts.map((r) => ({ flow: r.flow, state: r.state, count: Number(r.count) })),
      oldestQueued: oldest.map((r) => ({ flow: r.flow, createdAt: Number(r.created_at) })),
    };
  }

  async claimScheduleSlot(schedule: string, slotMs: number, now: number): Promise<boolean> {
    const rows = await this.q(
      `INSERT INTO schedules (name, last_slot, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at
       WHERE schedules.last_slot < excluded.last_slot
       RETURNING name`,
      [schedule, slotMs, now],
    );
    return rows.length === 1;
  }

  async getScheduleSlot(schedule: string): Promise<number | null> {
    const rows = await this.q<{ last_slot: number }>('SELECT last_slot FROM schedules WHERE name = $1', [
      schedule,
    ]);
    return rows[0] ? Number(rows[0].last_slot) : null;
  }

  /** On the database's clock: the caller's `now` is not used (one clock for every replica). */
  async acquireLease(name: string, owner: string, ttlMs: number, _now: number): Promise<boolean> {
    const rows = await this.q(
      `INSERT INTO leases (name, owner, until_ms) VALUES ($1, $2, clock_ms() + $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
       WHERE leases.owner = excluded.owner OR leases.until_ms < clock_ms()
       RETURNING name`,
      [name, owner, ttlMs],
    );
    return rows.length === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.q('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]);
  }

  async getPausedUntil(scope: string): Promise<number> {
    const rows = await this.q<{ until_ms: number }>('SELECT until_ms FROM pauses WHERE scope = $1', [scope]);
    return rows[0] ? Number(rows[0].until_ms) : 0;
  }

  async extendPause(scope: string, untilMs: number): Promise<number> {
    this.pauseListener.announce(scope, untilMs);
    // The notification (pause-notifications.ts) is delivered with the commit, carrying the end now stored.
    const rows = await this.q<{ until_ms: number }>(
      `WITH up AS (
         INSERT INTO pauses (scope, until_ms) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET until_ms = GREATEST(pauses.until_ms, excluded.until_ms)
         RETURNING until_ms)
       SELECT until_ms, pg_notify($3, json_build_array($4::text, $1::text, until_ms)::text) FROM up`,
      [scope, Math.floor(untilMs), PAUSE_CHANNEL, this.schema],
    );
    return Number(rows[0]!.until_ms);
  }

  /** Every replica's new pause end for `scope`, as soon as it is committed (a LISTEN connection of its own). */
  subscribePause(scope: string, onExtended: (untilMs: number) => void): () => void {
    return this.pauseListener.subscribe(scope, onExtended);
  }

  async ledgerGet<T = unknown>(ns: string, key: string): Promise<T | undefined> {
    const rows = await this.q<{ value: T }>('SELECT value FROM ledger WHERE ns = $1 AND key = $2', [ns, key]);
    return rows[0]?.value;
  }

  async ledgerPut<T = unknown>(
    ns: string,
    key: string,
    value: T,
    opts: { overwrite?: boolean } = {},
  ): Promise<T> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('ledgerPut: value must be JSON-serializable');
    if (opts.overwrite) {
      const rows = await this.q<{ value: T }>(
        `INSERT INTO ledger (ns, key, value, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at RETURNING value`,
        [ns, key, text, Date.now()],
      );
      return rows[0]!.value;
    }
    // DO UPDATE with a no-op assignment so RETURNING yields the row whether we inserted it or not.
    const rows = await this.q<{ value: T }>(
      `INSERT INTO ledger (ns, key, value, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ns, key) DO UPDATE SET value = ledger.value RETURNING value`,
      [ns, key, text, Date.now()],
    );
    return rows[0]!.value;
  }

  async allocateNumber(sequence: string, start: number, end: number): Promise<number> {
    return this.tx(async (db) => {
      await db.query('INSERT INTO sequences (name, next) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
        sequence,
        start,
      ]);
      const r = await db.query<{ n: number }>(
        `UPDATE sequences SET next = GREATEST(next, $1) + 1
         WHERE name = $2 AND GREATEST(next, $1) <= $3 RETURNING next - 1 AS n`,
        [start, sequence, end],
      );
      const n = r.rows[0]?.n;
      if (n === undefined) throw new NumberRangeExhaustedError(sequence, start, end);
      return Number(n);
    }, false); // durable with the caller's next synchronous commit (the WAL is flushed in order)
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  private tokenIdsPurgedAt = 0;

  async rememberTokenId(id: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    if (nowMs - this.tokenIdsPurgedAt > TOKEN_ID_PURGE_EVERY_MS) {
      this.tokenIdsPurgedAt = nowMs;
      await this.q(TOKEN_ID_SQL.postgres.purge, [nowMs]);
    }
    const rows = await this.q(TOKEN_ID_SQL.postgres.remember, [id, Math.ceil(expiresAtMs), nowMs]);
    return rows.length === 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.progress.end(), this.pauseListener.close()]);
  }

  /** Test helper: drop this store's schema (used by the contract suite to clean up). */
  async dropSchema(): Promise<void> {
    await this.q(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }
}

/** A failure of the connection itself: SQLSTATE class 08 / 57 (server shutting down), a socket error, a closed connection. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return /^(08|57)/.test(code) || /^E[A-Z]+$/.test(code);
  return /connection (terminated|ended)|not queryable/i.test(String((err as Error)?.message ?? ''));
}
