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
