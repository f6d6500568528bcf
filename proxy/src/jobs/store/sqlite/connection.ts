/**
 * The SQLite store's connection (the embedded default): one file, WAL, `synchronous = FULL` so a
 * commit that returned survives a power cut, writers serialized with `BEGIN IMMEDIATE` (several
 * processes on one file claim safely; the busy timeout makes them wait instead of failing).
 *
 * better-sqlite3 is synchronous: each method runs its transaction to the end inside one tick, so
 * within a process no two transactions interleave; across processes the file lock serializes them.
 * Every concern's SQLite half (`../<concern>/sqlite.ts`) runs its statements through this.
 */
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../errors.js';
import { migrationsFor } from '../migrations.js';

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

export function openSqliteConnection(path: string, opts: SqliteStoreOptions = {}): SqliteConnection {
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
  return new SqliteConnection(db);
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
    for (const m of migrationsFor('sqlite')) {
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

export class SqliteConnection {
  readonly kind = 'sqlite' as const;
  private readonly stmts: Map<string, Database.Statement> = new Map();
  private sync: 'FULL' | 'NORMAL' = 'FULL';

  constructor(readonly db: Database.Database) {}

  /** Prepared statements are cached by SQL text (prepare is the expensive part). */
  st(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * Run `fn` in BEGIN IMMEDIATE and translate driver errors. Async only for the interface.
   *
   * `durable: false` commits without waiting for fsync (`synchronous = NORMAL`): used only for
   * progress records — claim, heartbeat, complete, release. A process crash loses none of them
   * (WAL); a power cut may lose the last ones, which only makes a job run once more. Everything
   * that accepts work or hands out an identity (enqueue, numbers, ledger, dead letters, replay,
   * schedule slots) commits with `synchronous = FULL`.
   */
  async tx<T>(fn: () => T, durable = true): Promise<T> {
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

  async read<T>(fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (err) {
      throw translate(err);
    }
  }

  /** Readiness: a trivial query. */
  async ping(): Promise<void> {
    await this.read(() => this.st('SELECT 1').get());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
