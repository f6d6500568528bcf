/**
 * The PostgreSQL store's connection, for several proxy replicas sharing one queue: two pools
 * (one for durable commits, one for progress records), one transaction helper that retries
 * deadlocks / serialization failures (40P01, 40001) a few times, and connection-level failures
 * turned into `StoreUnavailableError` (HTTP 503). Every concern's PostgreSQL half
 * (`../<concern>/postgres.ts`) runs its statements through this.
 *
 * All tables live in one schema (option `schema`, or `?schema=` in the URL; default `public`).
 */
import pg from 'pg';
import { StoreUnavailableError } from '../../errors.js';
import { migrationsFor } from '../migrations.js';
import { PauseListener } from '../pause/notifications.js';

export interface PostgresStoreOptions {
  /** Schema holding the tables (created when missing). Default: `?schema=` of the URL, else `public`. */
  schema?: string;
  /** Pool size per process. */
  maxConnections?: number;
  /** Give up connecting after this long (ms). */
  connectTimeoutMs?: number;
}

export type Db = pg.PoolClient;

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

export async function openPostgresConnection(
  url: string,
  opts: PostgresStoreOptions = {},
): Promise<PostgresConnection> {
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
  const c = new PostgresConnection(
    pool,
    progress,
    schema,
    new PauseListener({ connectionString: u.toString(), schema }),
  );
  try {
    await c.migrate();
  } catch (err) {
    await pool.end().catch(() => {});
    await progress.end().catch(() => {});
    throw translate(err);
  }
  return c;
}

export class PostgresConnection {
  readonly kind = 'postgres' as const;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly progress: pg.Pool,
    readonly schema: string,
    /** The shared pause's LISTEN connection (`../pause/notifications.ts`), opened on first subscribe. */
    readonly pauseListener: PauseListener,
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
      for (const m of migrationsFor('postgres')) {
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
  async tx<T>(fn: (db: Db) => Promise<T>, durable = true): Promise<T> {
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

  /** One statement on the durable pool. */
  async q<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, args)).rows;
    } catch (err) {
      throw translate(err);
    }
  }

  /** One statement on the progress pool (no durable commit wait), retried on deadlock. */
  async record<R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<R[]> {
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

  /** Readiness: a trivial query. */
  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.progress.end(), this.pauseListener.close()]);
  }
}

/** A failure of the connection itself: SQLSTATE class 08 / 57 (server shutting down), a socket error, a closed connection. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return /^(08|57)/.test(code) || /^E[A-Z]+$/.test(code);
  return /connection (terminated|ended)|not queryable/i.test(String((err as Error)?.message ?? ''));
}
