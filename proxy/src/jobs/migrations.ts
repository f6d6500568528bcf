/**
 * Schema of the job store, versioned: each adapter applies the migrations it has not applied yet
 * (recorded in `schema_migrations`) at start. Never edit a released migration; add the next one.
 *
 * Both dialects hold the same tables:
 *   jobs            one row per job (the queue, the dead letters and their audit trail in one place)
 *   job_keys        per flow+key: the newest version ever completed (survives retention) — the
 *                   stale-version guard, and the row PostgreSQL locks to serialize one key
 *   job_audit       dead / replayed / discarded / superseded events, deleted with their job
 *   schedules       last fired slot per schedule (once per slot across replicas and restarts)
 *   leases          named leases (scheduler leadership and the like)
 *   pauses          the F&O governor's shared "paused until" per scope
 *   ledger          idempotency ledger / key-value for flows
 *   sequences       number ranges (proxy-assigned customer / order numbers)
 *   seen_token_ids  callout-token ids (`jti`) until their token expires (replay guard, token-ids.ts)
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'jobs, keys, audit, schedules, leases, pauses, ledger, sequences',
    sql: `
CREATE TABLE jobs (
  id          TEXT PRIMARY KEY,
  flow        TEXT NOT NULL,
  key         TEXT NOT NULL,
  version     TEXT NOT NULL,
  payload     TEXT NOT NULL,
  state       TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  run_at      INTEGER NOT NULL,
  lease_until INTEGER,
  last_error  TEXT,
  error_code  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER,
  note        TEXT
);
CREATE UNIQUE INDEX jobs_flow_key_version ON jobs (flow, key, version);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_state_finished_at ON jobs (state, finished_at);
CREATE TABLE job_keys (
  flow              TEXT NOT NULL,
  key               TEXT NOT NULL,
  last_done_version TEXT,
  PRIMARY KEY (flow, key)
) WITHOUT ROWID;
CREATE TABLE job_audit (
  job_id TEXT NOT NULL,
  at     INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor  TEXT,
  detail TEXT
);
CREATE INDEX job_audit_job_id ON job_audit (job_id);
CREATE TABLE schedules (name TEXT PRIMARY KEY, last_slot INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms INTEGER NOT NULL);
CREATE TABLE pauses (scope TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);
CREATE TABLE ledger (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE TABLE sequences (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
`,
  },
  {
    version: 2,
    name: 'seen_token_ids',
    sql: `
CREATE TABLE seen_token_ids (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX seen_token_ids_expires_at ON seen_token_ids (expires_at);
`,
  },
];

export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'jobs, keys, audit, schedules, leases, pauses, ledger, sequences',
    sql: `
CREATE TABLE jobs (
  id          TEXT PRIMARY KEY,
  flow        TEXT NOT NULL,
  key         TEXT NOT NULL,
  version     TEXT COLLATE "C" NOT NULL,
  payload     JSONB NOT NULL,
  state       TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  run_at      BIGINT NOT NULL,
  lease_until BIGINT,
  last_error  JSONB,
  error_code  TEXT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  finished_at BIGINT,
  note        TEXT
);
CREATE UNIQUE INDEX jobs_flow_key_version ON jobs (flow, key, version);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_state_finished_at ON jobs (state, finished_at);
CREATE TABLE job_keys (
  flow              TEXT NOT NULL,
  key               TEXT NOT NULL,
  last_done_version TEXT COLLATE "C",
  PRIMARY KEY (flow, key)
);
CREATE TABLE job_audit (
  job_id TEXT NOT NULL,
  at     BIGINT NOT NULL,
  action TEXT NOT NULL,
  actor  TEXT,
  detail TEXT
);
CREATE INDEX job_audit_job_id ON job_audit (job_id);
CREATE TABLE schedules (name TEXT PRIMARY KEY, last_slot BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms BIGINT NOT NULL);
CREATE TABLE pauses (scope TEXT PRIMARY KEY, until_ms BIGINT NOT NULL);
CREATE TABLE ledger (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      JSONB NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (ns, key)
);
CREATE TABLE sequences (name TEXT PRIMARY KEY, next BIGINT NOT NULL);
`,
  },
  {
    version: 2,
    name: 'seen_token_ids',
    sql: `
CREATE TABLE seen_token_ids (id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX seen_token_ids_expires_at ON seen_token_ids (expires_at);
`,
  },
  {
    version: 3,
    name: 'clock_ms: the database clock that leases and due-ness are judged by',
    // The one place the PostgreSQL store reads time: the transaction's start (now()) in epoch ms,
    // the same for every replica whatever its own clock says. STABLE, so it is inlined into the
    // claim and can use the (state, run_at) index. Tests move it by replacing it in their schema.
    sql: `
CREATE FUNCTION clock_ms() RETURNS BIGINT LANGUAGE sql STABLE
  AS $$ SELECT floor(extract(epoch FROM now()) * 1000)::bigint $$;
`,
  },
];
