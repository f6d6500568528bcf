/**
 * Schema of the job store, versioned: each adapter applies the migrations it has not applied yet
 * (recorded in `schema_migrations`) at start. Never edit a released migration; add the next one.
 *
 * Both dialects hold the same tables, so each migration is written once with the few words the
 * dialects spell differently (`Dialect`); a migration only one of them needs says so with `only`.
 *   jobs            one row per job (the queue, the dead letters and their audit trail in one place)
 *   job_keys        per flow+key: the newest version ever completed (survives retention) — the
 *                   stale-version guard, and the row PostgreSQL locks to serialize one key
 *   job_audit       dead / replayed / discarded / superseded events, deleted with their job
 *   schedules       last fired slot per schedule (once per slot across replicas and restarts)
 *   leases          named leases (scheduler leadership and the like)
 *   pauses          the F&O governor's shared "paused until" per scope
 *   ledger          idempotency ledger / key-value for flows
 *   sequences       number ranges (proxy-assigned customer / order numbers)
 *   seen_token_ids  callout-token ids (`jti`) until their token expires (replay guard, token-ids/)
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export type DialectName = 'sqlite' | 'postgres';

/** The words the two dialects spell differently. */
interface Dialect {
  /** epoch ms, counts */
  int: string;
  /** JSON documents (SQLite keeps the text, PostgreSQL parses it) */
  json: string;
  /** versions compare byte-wise in both (PostgreSQL's default collation would not) */
  version: string;
  /** after a table whose primary key is its whole lookup (SQLite stores no separate rowid) */
  keyed: string;
}

const DIALECTS: Record<DialectName, Dialect> = {
  sqlite: { int: 'INTEGER', json: 'TEXT', version: 'TEXT', keyed: ' WITHOUT ROWID' },
  postgres: { int: 'BIGINT', json: 'JSONB', version: 'TEXT COLLATE "C"', keyed: '' },
};

interface MigrationSource {
  version: number;
  name: string;
  /** Set when only one dialect needs this migration. */
  only?: DialectName;
  sql(d: Dialect): string;
}

const MIGRATIONS: MigrationSource[] = [
  {
    version: 1,
    name: 'jobs, keys, audit, schedules, leases, pauses, ledger, sequences',
    sql: (d) => `
CREATE TABLE jobs (
  id          TEXT PRIMARY KEY,
  flow        TEXT NOT NULL,
  key         TEXT NOT NULL,
  version     ${d.version} NOT NULL,
  payload     ${d.json} NOT NULL,
  state       TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  run_at      ${d.int} NOT NULL,
  lease_until ${d.int},
  last_error  ${d.json},
  error_code  TEXT,
  created_at  ${d.int} NOT NULL,
  updated_at  ${d.int} NOT NULL,
  finished_at ${d.int},
  note        TEXT
);
CREATE UNIQUE INDEX jobs_flow_key_version ON jobs (flow, key, version);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_state_finished_at ON jobs (state, finished_at);
CREATE TABLE job_keys (
  flow              TEXT NOT NULL,
  key               TEXT NOT NULL,
  last_done_version ${d.version},
  PRIMARY KEY (flow, key)
)${d.keyed};
CREATE TABLE job_audit (
  job_id TEXT NOT NULL,
  at     ${d.int} NOT NULL,
  action TEXT NOT NULL,
  actor  TEXT,
  detail TEXT
);
CREATE INDEX job_audit_job_id ON job_audit (job_id);
CREATE TABLE schedules (name TEXT PRIMARY KEY, last_slot ${d.int} NOT NULL, updated_at ${d.int} NOT NULL);
CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms ${d.int} NOT NULL);
CREATE TABLE pauses (scope TEXT PRIMARY KEY, until_ms ${d.int} NOT NULL);
CREATE TABLE ledger (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      ${d.json} NOT NULL,
  updated_at ${d.int} NOT NULL,
  PRIMARY KEY (ns, key)
)${d.keyed};
CREATE TABLE sequences (name TEXT PRIMARY KEY, next ${d.int} NOT NULL);
`,
  },
  {
    version: 2,
    name: 'seen_token_ids',
    sql: (d) => `
CREATE TABLE seen_token_ids (id TEXT PRIMARY KEY, expires_at ${d.int} NOT NULL)${d.keyed};
CREATE INDEX seen_token_ids_expires_at ON seen_token_ids (expires_at);
`,
  },
  {
    version: 3,
    name: 'clock_ms: the database clock that leases and due-ness are judged by',
    // SQLite judges leases by the caller's clock (one machine), so only PostgreSQL needs it.
    // The one place the PostgreSQL store reads time: the transaction's start (now()) in epoch ms,
    // the same for every replica whatever its own clock says. STABLE, so it is inlined into the
    // claim and can use the (state, run_at) index. Tests move it by replacing it in their schema.
    only: 'postgres',
    sql: () => `
CREATE FUNCTION clock_ms() RETURNS BIGINT LANGUAGE sql STABLE
  AS $$ SELECT floor(extract(epoch FROM now()) * 1000)::bigint $$;
`,
  },
];

/** The migrations of one dialect, in order. */
export function migrationsFor(dialect: DialectName): Migration[] {
  return MIGRATIONS.filter((m) => m.only === undefined || m.only === dialect).map((m) => ({
    version: m.version,
    name: m.name,
    sql: m.sql(DIALECTS[dialect]),
  }));
}
