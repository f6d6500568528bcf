/**
 * The shared F&O pause pushed between replicas (PostgreSQL LISTEN/NOTIFY): two stores on one
 * schema play two replicas; a real server, no mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openStore } from '../../../src/jobs/store.js';
import type { Store } from '../../../src/jobs/types.js';
import { DATABASE_URL, dropSchema, pgUrl, uniqueSchema } from '../helpers.js';

const SCOPE = 'https://fo.test';
const schema = uniqueSchema('pause_push');
const other = uniqueSchema('pause_other');

/** Resolves with the first pause end pushed for SCOPE to `store` (rejects after `ms`). */
function nextPush(store: Store, ms = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no pause was pushed'));
    }, ms);
    const off = store.subscribePause!(SCOPE, (until) => {
      clearTimeout(timer);
      off();
      resolve(until);
    });
  });
}

/** Waits until `n` LISTEN connections of this schema's stores are there (each opens with its first subscriber). */
async function listening(name: string, n = 1): Promise<number[]> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await c.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [`fobridge-pause:${name}`.slice(0, 63)],
      );
      if (rows.length >= n) return rows.map((r) => r.pid);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no LISTEN connection for ${name}`);
  } finally {
    await c.end();
  }
}

/**
 * The pause is stored on the database's clock; each replica converts with the offset it measured
 * (error at most half a round trip), so two replicas agree on the instant within a few ms.
 */
const expectSameInstant = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(5);

describe('shared pause pushed between replicas (PostgreSQL)', () => {
  let a: Store;
  let b: Store;
  let elsewhere: Store;
  beforeAll(async () => {
    [a, b, elsewhere] = await Promise.all([
      openStore(pgUrl(schema)),
      openStore(pgUrl(schema)),
      openStore(pgUrl(other)),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), elsewhere?.close()]);
    await dropSchema(schema);
    await dropSchema(other);
  });

  it('tells the other replica the pause end as soon as one replica extends it', async () => {
    a.subscribePause!(SCOPE, () => {}); // a replica's governor subscribes at start: a announces on that connection
    const pushed = nextPush(b);
    await listening(schema, 2);
    const until = Date.now() + 30_000;
    expect(await a.extendPause(SCOPE, until)).toBe(until);
    expectSameInstant(await pushed, until);
    // Pushes only add to what the governor holds (it keeps the larger end); the row never shortens.
    await a.extendPause(SCOPE, until - 10_000);
    expectSameInstant(await b.getPausedUntil(SCOPE), until);
  });

  it('does not tell a deployment on another schema of the same database', async () => {
    let heard = 0;
    const off = elsewhere.subscribePause!(SCOPE, () => heard++);
    await listening(other);
    const mine = nextPush(b);
    await a.extendPause(SCOPE, Date.now() + 60_000);
    await mine; // delivered to b, so delivered to every listener by now
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toBe(0);
    off();
  });

  it('listens again by itself after its connection was ended (a database restart)', async () => {
    const pids = await listening(schema, 2);
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      for (const pid of pids) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    // A new LISTEN connection (another pid) is opened after a short back-off.
    for (let i = 0; i < 100; i++) {
      const now = await listening(schema, 2);
      if (now.filter((p) => !pids.includes(p)).length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pushed = nextPush(b);
    const until = Date.now() + 120_000;
    await a.extendPause(SCOPE, until);
    expectSameInstant(await pushed, until);
  });
});
