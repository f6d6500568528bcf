/**
 * SQLite adapter (the embedded default): one file, WAL, `synchronous = FULL` so a commit that
 * returned survives a power cut, writers serialized with `BEGIN IMMEDIATE` (several processes on
 * one file claim safely; the busy timeout makes them wait instead of failing).
 *
 * better-sqlite3 is synchronous: each method runs its transaction to the end inside one tick, so
 * within a process no two transactions interleave; across processes the file lock serializes them.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { decideEnqueue, decideReplay, decodeCursor, encodeCursor } from './decisions.js';
import {
  JobNotFoundError,
  JobStateConflictError,
  NumberRangeExhaustedError,
  StoreUnavailableError,
} from './errors.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
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

export interface SqliteStoreOptions {
  /** Open without writing anything (no migrations; every write fails with StoreUnavailableError). */
  readOnly?: boolean;
  /** How long a writer waits for another process's transaction (ms). */
  busyTimeoutMs?: number;
}

/** SQLite error codes that mean "the store cannot do its job right now" (→ 503), not a bug. */
const UNAVAILABLE = /^SQLITE_(READONLY|CANTOPEN|IOERR|FULL|BUSY|LOCKED|CORRUPT|NOTADB|PERM|AUTH|PROTOCOL)/;

function translate(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) {
    return new StoreUnavailableError(`${code}: ${(err as Error).message}`, err);
  }
  if (err instanceof TypeError && /database connection is not open/i.test(err.message)) {
    return new StoreUnavailableError('the SQLite store is closed', err);
  }
  return err;
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  let db: Database.Database;
  try {
    db = new Database(path, {
      readonly: opts.readOnly === true,
      fileMustExist: opts.readOnly === true,
      timeout: opts.busyTimeoutMs ?? 5000,
    });
    if (!opts.readOnly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    if (!opts.readOnly) migrate(db);
  } catch (err) {
    throw translate(err);
  }
  return new SqliteStore(db);
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  db.transaction(() => {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (r) => r.version,
      ),
    );
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    }
  }).immediate();
}

const ACTIVE_OR_SAME =
  "SELECT * FROM jobs WHERE flow = ? AND key = ? AND (version = ? OR state IN ('queued', 'running'))";

class SqliteStore implements Store, TokenIdLedger {
  readonly kind = 'sqlite' as const;
  private readonly stmts: Map<string, Database.Statement> = new Map();

  constructor(private readonly db: Database.Database) {}

  /** Prepared statements are cached by SQL text (prepare is the expensive part). */
  private st(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private sync: 'FULL' | 'NORMAL' = 'FULL';

  /**
   * Run `fn` in BEGIN IMMEDIATE and translate driver errors. Async only for the interface.
   *
   * `durable: false` commits without waiting for fsync (`synchronous = NORMAL`): used only for
   * progress records — claim, heartbeat, complete, release. A process crash loses none of them
   * (WAL); a power cut may lose the last ones, which only makes a job run once more. Everything
   * that accepts work or hands out an identity (enqueue, numbers, ledger, dead letters, replay,
   * schedule slots) commits with `synchronous = FULL`.
   */
  private async tx<T>(fn: () => T, durable = true): Promise<T> {
    try {
      const want = durable ? 'FULL' : 'NORMAL';
      if (this.sync !== want) {
        this.db.pragma(`synchronous = ${want}`);
        this.sync = want;
      }
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw translate(err);
    }
  }

  private async read<T>(fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (err) {
      throw translate(err);
    }
  }

  private audit(
    jobId: string,
    at: number,
    action: AuditEntry['action'],
    actor: string | null,
    detail: string | null,
  ) {
    this.st('INSERT INTO job_audit (job_id, at, action, actor, detail) VALUES (?, ?, ?, ?, ?)').run(
      jobId,
      at,
      action,
      actor,
      detail,
    );
  }

  private insertJob(job: Job): void {
    this.st(
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
  }

  private keyFacts(
    flow: string,
    key: string,
  ): { lastDoneVersion: string | null; newestDeadVersion: string | null } {
    const k = this.st('SELECT last_done_version FROM job_keys WHERE flow = ? AND key = ?').get(flow, key) as
      { last_done_version: string | null } | undefined;
    const d = this.st("SELECT MAX(version) AS v FROM jobs WHERE flow = ? AND key = ? AND state = 'dead'").get(
      flow,
      key,
    ) as { v: string | null };
    return { lastDoneVersion: k?.last_done_version ?? null, newestDeadVersion: d.v };
  }

  private enqueueOne<P>(input: EnqueueInput<P>, now: number): EnqueueResult<P> {
    const rows = (this.st(ACTIVE_OR_SAME).all(input.flow, input.key, input.version) as JobRow[]).map((r) =>
      rowToJob<P>(r),
    );
    const decision = decideEnqueue(
      {
        sameVersion: rows.find((j) => j.version === input.version) ?? null,
        queued: rows.find((j) => j.state === 'queued') ?? null,
        running: rows.find((j) => j.state === 'running') ?? null,
        ...this.keyFacts(input.flow, input.key),
      },
      input.version,
    );
    if (decision.outcome === 'duplicate') return { job: decision.existing as Job<P>, outcome: 'duplicate' };
    if (decision.outcome === 'stale') {
      const job = newJob(randomUUID(), input, now, 'superseded', `stale: ${decision.note}`);
      this.insertJob(job);
      return { job, outcome: 'stale' };
    }
    if (decision.supersede) {
      const note = `superseded by version ${input.version}`;
      this.st(
        "UPDATE jobs SET state = 'superseded', finished_at = ?, updated_at = ?, note = ? WHERE id = ? AND state = 'queued'",
      ).run(now, now, note, decision.supersede.id);
    }
    const job = newJob(randomUUID(), input, now, 'queued', null);
    this.insertJob(job);
    return { job, outcome: decision.outcome };
  }

  enqueue<P>(input: EnqueueInput<P>, now: number): Promise<EnqueueResult<P>> {
    return this.tx(() => this.enqueueOne(input, now));
  }

  enqueueMany<P>(inputs: readonly EnqueueInput<P>[], now: number): Promise<EnqueueResult<P>[]> {
    return this.tx(() => {
      const out = new Array<EnqueueResult<P>>(inputs.length);
      for (const i of lockOrder(inputs)) out[i] = this.enqueueOne(inputs[i]!, now);
      return out;
    });
  }

  claim(opts: ClaimOptions): Promise<Job[]> {
    if (opts.flows.length === 0 || opts.limit <= 0) return Promise.resolve([]);
    const flows = opts.flows.map(() => '?').join(', ');
    return this.tx(() => {
      const expired = this.st(
        `SELECT id FROM jobs WHERE state = 'running' AND lease_until < ? AND flow IN (${flows})
         ORDER BY lease_until LIMIT ?`,
      ).all(opts.now, ...opts.flows, opts.limit) as Array<{ id: string }>;
      const due = this.st(
        `SELECT id FROM jobs j WHERE state = 'queued' AND run_at <= ? AND flow IN (${flows})
           AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.flow = j.flow AND r.key = j.key AND r.state = 'running')
         ORDER BY run_at LIMIT ?`,
      ).all(opts.now, ...opts.flows, opts.limit - expired.length) as Array<{ id: string }>;
      const update = this.st(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
         WHERE id = ? RETURNING *`,
      );
      return [...expired, ...due].map(({ id }) =>
        rowToJob(update.get(opts.now + opts.leaseMs, opts.now, id) as JobRow),
      );
    }, false);
  }

  heartbeat(id: string, attempt: number, leaseUntil: number, _now: number): Promise<boolean> {
    return this.tx(
      () =>
        this.st(
          "UPDATE jobs SET lease_until = MAX(lease_until, ?) WHERE id = ? AND state = 'running' AND attempts = ?",
        ).run(leaseUntil, id, attempt).changes === 1,
      false,
    );
  }

  complete(id: string, attempt: number, now: number): Promise<boolean> {
    return this.tx(() => {
      const row = this.st(
        `UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND attempts = ? RETURNING flow, key, version`,
      ).get(now, now, id, attempt) as { flow: string; key: string; version: string } | undefined;
      if (!row) return false;
      this.st(
        `INSERT INTO job_keys (flow, key, last_done_version) VALUES (?, ?, ?)
         ON CONFLICT (flow, key) DO UPDATE SET last_done_version = excluded.last_done_version
         WHERE job_keys.last_done_version IS NULL OR job_keys.last_done_version < excluded.last_done_version`,
      ).run(row.flow, row.key, row.version);
      // Older dead letters of this key are settled by the newer write: close them, with a trail.
      const note = `resolved: newer version ${row.version} completed`;
      const closed = this.st(
        `UPDATE jobs SET state = 'superseded', finished_at = ?, updated_at = ?, note = ?
         WHERE flow = ? AND key = ? AND state = 'dead' AND version < ? RETURNING id`,
      ).all(now, now, note, row.flow, row.key, row.version) as Array<{ id: string }>;
      for (const c of closed) this.audit(c.id, now, 'superseded', null, note);
      return true;
    }, false);
  }

  fail(input: FailInput): Promise<boolean> {
    return this.tx(() => {
      const dead = input.retryAt === undefined;
      const changed = this.st(
        `UPDATE jobs SET state = ?, run_at = ?, lease_until = NULL, last_error = ?, error_code = ?,
           updated_at = ?, finished_at = ?
         WHERE id = ? AND state = 'running' AND attempts = ?`,
      ).run(
        dead ? 'dead' : 'queued',
        input.retryAt ?? input.now,
        JSON.stringify(input.error),
        input.error.code,
        input.now,
        dead ? input.now : null,
        input.id,
        input.attempt,
      ).changes;
      if (changed === 1 && dead)
        this.audit(input.id, input.now, 'dead', null, `${input.error.code}: ${input.error.message}`);
      return changed === 1;
    });
  }

  release(id: string, attempt: number, now: number): Promise<boolean> {
    return this.tx(() => {
      const changed = this.st(
        `UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_until = NULL, run_at = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND attempts = ?`,
      ).run(now, now, id, attempt).changes;
      if (changed === 1) this.audit(id, now, 'released', null, 'worker stopped before finishing');
      return changed === 1;
    }, false);
  }

  getJob(id: string): Promise<Job | null> {
    return this.read(() => {
      const r = this.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
      return r ? rowToJob(r) : null;
    });
  }

  getAudit(id: string): Promise<AuditEntry[]> {
    return this.read(() =>
      (this.st('SELECT * FROM job_audit WHERE job_id = ? ORDER BY at, rowid').all(id) as AuditRow[]).map(
        rowToAudit,
      ),
    );
  }

  private deadWhere(filter: DeadLetterFilter): { sql: string; args: unknown[] } {
    const parts = ["state = 'dead'"];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      parts.push(sql);
      args.push(value);
    };
    if (filter.flow !== undefined) add('flow = ?', filter.flow);
    if (filter.code !== undefined) add('error_code = ?', filter.code);
    if (filter.since !== undefined) add('finished_at >= ?', filter.since);
    if (filter.until !== undefined) add('finished_at < ?', filter.until);
    return { sql: parts.join(' AND '), args };
  }

  listDeadLetters(
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string | null },
  ): Promise<Page<Job>> {
    return this.read(() => {
      const w = this.deadWhere(filter);
      const c = page.cursor ? decodeCursor(page.cursor) : null;
      let sql = `SELECT * FROM jobs WHERE ${w.sql}`;
      const args = [...w.args];
      if (c) {
        sql += ' AND (finished_at < ? OR (finished_at = ? AND id < ?))';
        args.push(c.finishedAt, c.finishedAt, c.id);
      }
      sql += ' ORDER BY finished_at DESC, id DESC LIMIT ?';
      args.push(page.limit + 1);
      const rows = (this.db.prepare(sql).all(...args) as JobRow[]).map((r) => rowToJob(r));
      const items = rows.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > page.limit && last ? encodeCursor(last.finishedAt ?? 0, last.id) : null,
      };
    });
  }

  private replayOne(id: string, now: number, actor: string | null): ReplayResult {
    const r = this.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!r) throw new JobNotFoundError(id);
    const dead = rowToJob(r);
    if (dead.state !== 'dead') throw new JobStateConflictError(id, dead.state, 'replayed');
    const active = (
      this.st("SELECT * FROM jobs WHERE flow = ? AND key = ? AND state IN ('queued', 'running')").all(
        dead.flow,
        dead.key,
      ) as JobRow[]
    ).map((x) => rowToJob(x));
    const queued = active.find((j) => j.state === 'queued') ?? null;
    const d = decideReplay(dead, {
      queued,
      running: active.find((j) => j.state === 'running') ?? null,
      lastDoneVersion: this.keyFacts(dead.flow, dead.key).lastDoneVersion,
    });
    if (!d.requeue) {
      this.st(
        "UPDATE jobs SET state = 'superseded', note = ?, finished_at = ?, updated_at = ? WHERE id = ?",
      ).run(d.note, now, now, id);
      this.audit(id, now, 'superseded', actor, d.note);
      return {
        job: rowToJob(this.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow),
        outcome: 'superseded',
      };
    }
    if (queued) {
      // An older version waits: the replayed one carries newer data and takes its place.
      const note = `superseded by replayed version ${dead.version}`;
      this.st(
        "UPDATE jobs SET state = 'superseded', note = ?, finished_at = ?, updated_at = ? WHERE id = ?",
      ).run(note, now, now, queued.id);
    }
    this.st(
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, lease_until = NULL, finished_at = NULL,
         updated_at = ?, note = ? WHERE id = ?`,
    ).run(now, now, `replayed${actor ? ` by ${actor}` : ''}`, id);
    this.audit(
      id,
      now,
      'replayed',
      actor,
      `after ${dead.attempts} attempts; last error ${dead.lastError?.code ?? '-'}`,
    );
    return {
      job: rowToJob(this.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow),
      outcome: 'requeued',
    };
  }

  replay(id: string, opts: { now: number; actor?: string | null }): Promise<ReplayResult> {
    return this.tx(() => this.replayOne(id, opts.now, opts.actor ?? null));
  }

  replayMany(
    filter: DeadLetterFilter,
    opts: { now: number; actor?: string | null; limit: number },
  ): Promise<ReplayResult[]> {
    return this.tx(() => {
      const w = this.deadWhere(filter);
      const ids = this.db
        .prepare(`SELECT id FROM jobs WHERE ${w.sql} ORDER BY finished_at, id LIMIT ?`)
        .all(...w.args, opts.limit) as Array<{ id: string }>;
      // Oldest first, so that of two dead versions of one key the newer one is replayed last and wins.
      const sorted = ids.map((x) => x.id);
      return sorted.map((id) => this.replayOne(id, opts.now, opts.actor ?? null));
    });
  }

  discard(id: string, opts: { now: number; reason: string; actor?: string | null }): Promise<Job> {
    return this.tx(() => {
      const r = this.st('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string } | undefined;
      if (!r) throw new JobNotFoundError(id);
      if (r.state !== 'dead') throw new JobStateConflictError(id, r.state, 'discarded');
      this.st(
        "UPDATE jobs SET state = 'discarded', note = ?, finished_at = ?, updated_at = ? WHERE id = ?",
      ).run(`discarded: ${opts.reason}`, opts.now, opts.now, id);
      this.audit(id, opts.now, 'discarded', opts.actor ?? null, opts.reason);
      return rowToJob(this.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow);
    });
  }

  async purge(opts: PurgeOptions): Promise<number> {
    const cutoff = opts.now - opts.retentionMs;
    let total = 0;
    // Small batches: other writers (enqueue from HTTP) never wait long behind housekeeping.
    for (;;) {
      const n = await this.tx(() => {
        const ids = this.st(
          `SELECT id FROM jobs WHERE state IN ('done', 'superseded', 'discarded') AND finished_at < ? LIMIT 2000`,
        ).all(cutoff) as Array<{ id: string }>;
        const delAudit = this.st('DELETE FROM job_audit WHERE job_id = ?');
        const delJob = this.st('DELETE FROM jobs WHERE id = ?');
        for (const { id } of ids) {
          delAudit.run(id);
          delJob.run(id);
        }
        return ids.length;
      });
      total += n;
      if (n < 2000) return total;
    }
  }

  stats(): Promise<QueueStats> {
    return this.read(() => ({
      counts: (
        this.st('SELECT flow, state, COUNT(*) AS count FROM jobs GROUP BY flow, state').all() as Array<{
          flow: string;
          state: Job['state'];
          count: number;
        }>
      ).map((r) => ({ flow: r.flow, state: r.state, count: Number(r.count) })),
      oldestQueued: (
        this.st(
          "SELECT flow, MIN(created_at) AS created_at FROM jobs WHERE state = 'queued' GROUP BY flow",
        ).all() as Array<{ flow: string; created_at: number }>
      ).map((r) => ({ flow: r.flow, createdAt: Number(r.created_at) })),
    }));
  }

  claimScheduleSlot(schedule: string, slotMs: number, now: number): Promise<boolean> {
    return this.tx(
      () =>
        this.st(
          `INSERT INTO schedules (name, last_slot, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at
           WHERE schedules.last_slot < excluded.last_slot`,
        ).run(schedule, slotMs, now).changes === 1,
    );
  }

  getScheduleSlot(schedule: string): Promise<number | null> {
    return this.read(() => {
      const r = this.st('SELECT last_slot FROM schedules WHERE name = ?').get(schedule) as
        { last_slot: number } | undefined;
      return r ? Number(r.last_slot) : null;
    });
  }

  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    return this.tx(
      () =>
        this.st(
          `INSERT INTO leases (name, owner, until_ms) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
           WHERE leases.owner = excluded.owner OR leases.until_ms < ?`,
        ).run(name, owner, now + ttlMs, now).changes === 1,
    );
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.tx(() => this.st('DELETE FROM leases WHERE name = ? AND owner = ?').run(name, owner));
  }

  getPausedUntil(scope: string): Promise<number> {
    return this.read(() => {
      const r = this.st('SELECT until_ms FROM pauses WHERE scope = ?').get(scope) as
        { until_ms: number } | undefined;
      return r ? Number(r.until_ms) : 0;
    });
  }

  extendPause(scope: string, untilMs: number): Promise<number> {
    return this.tx(() => {
      const r = this.st(
        `INSERT INTO pauses (scope, until_ms) VALUES (?, ?)
         ON CONFLICT (scope) DO UPDATE SET until_ms = MAX(pauses.until_ms, excluded.until_ms)
         RETURNING until_ms`,
      ).get(scope, Math.floor(untilMs)) as { until_ms: number };
      return Number(r.until_ms);
    });
  }

  ledgerGet<T = unknown>(ns: string, key: string): Promise<T | undefined> {
    return this.read(() => {
      const r = this.st('SELECT value FROM ledger WHERE ns = ? AND key = ?').get(ns, key) as
        { value: string } | undefined;
      return r ? (JSON.parse(r.value) as T) : undefined;
    });
  }

  ledgerPut<T = unknown>(ns: string, key: string, value: T, opts: { overwrite?: boolean } = {}): Promise<T> {
    return this.tx(() => {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError('ledgerPut: value must be JSON-serializable');
      this.st(
        opts.overwrite
          ? `INSERT INTO ledger (ns, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
          : 'INSERT INTO ledger (ns, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO NOTHING',
      ).run(ns, key, text, Date.now());
      const r = this.st('SELECT value FROM ledger WHERE ns = ? AND key = ?').get(ns, key) as {
        value: string;
      };
      return JSON.parse(r.value) as T;
    });
  }

  allocateNumber(sequence: string, start: number, end: number): Promise<number> {
    // Not durable on its own (no fsync): the WAL is written in order, so the caller's next durable
    // commit (the ledger entry that claims the number, before it is ever sent) makes it durable.
    // A crash before that loses only a number nobody used.
    return this.tx(() => {
      this.st('INSERT INTO sequences (name, next) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(
        sequence,
        start,
      );
      const r = this.st(
        `UPDATE sequences SET next = MAX(next, ?) + 1 WHERE name = ? AND MAX(next, ?) <= ? RETURNING next - 1 AS n`,
      ).get(start, sequence, start, end) as { n: number } | undefined;
      if (!r) throw new NumberRangeExhaustedError(sequence, start, end);
      return Number(r.n);
    }, false);
  }

  async ping(): Promise<void> {
    await this.read(() => this.st('SELECT 1').get());
  }

  private tokenIdsPurgedAt = 0;

  rememberTokenId(id: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    return this.tx(() => {
      if (nowMs - this.tokenIdsPurgedAt > TOKEN_ID_PURGE_EVERY_MS) {
        this.st(TOKEN_ID_SQL.sqlite.purge).run(nowMs);
        this.tokenIdsPurgedAt = nowMs;
      }
      return this.st(TOKEN_ID_SQL.sqlite.remember).run(id, Math.ceil(expiresAtMs), nowMs).changes === 1;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
