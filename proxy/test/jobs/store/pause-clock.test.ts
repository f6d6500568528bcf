/**
 * The shared F&O pause between replicas whose clocks differ (PostgreSQL): a pause one replica
 * stores lasts as long for every other, whatever their clocks say. The other replica is a child
 * process whose clock runs 5 min slow or fast (test/chaos/clock-shift.mjs), as on a badly synced host.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/jobs/store.js';
import type { Store } from '../../../src/jobs/types.js';
import { dropSchema, pgUrl, uniqueSchema } from '../helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLOCK_SHIFT = join(here, '../../../../test/chaos/clock-shift.mjs');
const FIVE_MIN = 5 * 60_000;
const scope = 'd365-clock';

describe('postgres: the shared pause lasts as long on every replica, whatever its clock', () => {
  const schema = uniqueSchema('pause_clock');
  let store: Store;
  beforeAll(async () => {
    store = await openStore(pgUrl(schema));
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  /** Runs the child replica with its clock shifted by `shiftMs`; the pause left as it sees it. */
  const replica = async (shiftMs: number, op: 'read' | 'extend', ms = 0): Promise<number> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--import', CLOCK_SHIFT, join(here, 'pause-clock-child.ts')],
      {
        env: {
          ...process.env,
          FOBRIDGE_TEST_CLOCK_SHIFT_MS: String(shiftMs),
          PAUSE_DB_URL: pgUrl(schema),
          PAUSE_OP: op,
          PAUSE_MS: String(ms),
        },
      },
    );
    return (JSON.parse(stdout) as { remainingMs: number }).remainingMs;
  };
  /** Within the time a child process takes to start and answer. */
  const about = (expected: number) => expect.toSatisfy((v: number) => v <= expected && v > expected - 5_000);

  it('a replica 5 min slow holds a 30 s pause for about 30 s, not 5 min 30 s', async () => {
    await store.extendPause(scope, Date.now() + 30_000);
    expect(await replica(-FIVE_MIN, 'read')).toEqual(about(30_000));
  });

  it('a pause stored by a replica 5 min slow (or fast) is neither over nor 5 min longer for the others', async () => {
    await replica(-FIVE_MIN, 'extend', 60_000);
    expect((await store.getPausedUntil(scope)) - Date.now()).toEqual(about(60_000));
    await replica(FIVE_MIN, 'extend', 90_000);
    expect((await store.getPausedUntil(scope)) - Date.now()).toEqual(about(90_000));
    expect(await replica(-FIVE_MIN, 'read')).toEqual(about(90_000));
  });
});
