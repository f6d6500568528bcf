/** Shared test plumbing: temp SQLite files, throwaway PostgreSQL schemas. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { jobQueueSettings } from '../../src/jobs/setup.js';

export const DATABASE_URL = process.env.DATABASE_URL;

export function tempDir(prefix = 'fobridge-jobs-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A schema name unique to this run, so parallel runs never collide. */
export function uniqueSchema(prefix = 'jobs_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Without DATABASE_URL the PostgreSQL tests fail (never skip): scripts/test sets it when the server answers. */
export function pgUrl(schema: string): string {
  if (!DATABASE_URL)
    throw new Error(
      'DATABASE_URL is not set: the PostgreSQL tests need a server (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test; scripts/test starts the local one)',
    );
  const u = new URL(DATABASE_URL);
  u.searchParams.set('schema', schema);
  return u.toString();
}

export async function dropSchema(schema: string): Promise<void> {
  if (!DATABASE_URL) return; // nothing was created
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The queue's settings at the config schema's defaults (JOB_* unset), for tests that build a queue. */
export const QUEUE_SETTINGS = jobQueueSettings(loadConfig({ NODE_ENV: 'test' }));

/**
 * The PostgreSQL store judges leases and due-ness by the database's clock (`clock_ms()` in its
 * schema). For a suite that moves time through each call's `now` (the store contract), replace
 * that function in the test's schema by a settable one, and set it to each call's `now` first.
 */
export async function pinDatabaseClock<S extends object>(store: S, schema: string): Promise<S> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query(`CREATE TABLE test_clock (ms BIGINT NOT NULL);
    INSERT INTO test_clock VALUES (0);
    CREATE OR REPLACE FUNCTION clock_ms() RETURNS BIGINT LANGUAGE sql STABLE AS 'SELECT ms FROM test_clock';`);
  // Where each method takes the caller's `now`.
  const nowOf: Record<string, (args: unknown[]) => unknown> = {
    enqueue: (a) => a[1],
    enqueueMany: (a) => a[1],
    claim: (a) => (a[0] as { now: number }).now,
    heartbeat: (a) => a[3],
    complete: (a) => a[2],
    fail: (a) => (a[0] as { now: number }).now,
    release: (a) => a[2],
    replay: (a) => (a[1] as { now: number }).now,
    replayMany: (a) => (a[1] as { now: number }).now,
    acquireLease: (a) => a[3],
    claimScheduleSlot: (a) => a[2],
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'close')
        return async () => {
          await client.end();
          return fn.call(target);
        };
      const pick = typeof prop === 'string' ? nowOf[prop] : undefined;
      if (!pick) return fn.bind(target);
      return async (...args: unknown[]) => {
        await client.query('UPDATE test_clock SET ms = $1', [pick(args)]);
        return fn.apply(target, args);
      };
    },
  });
}
