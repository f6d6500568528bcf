/**
 * Child process of pause-clock.test.ts, a replica whose clock is off (run with
 * test/chaos/clock-shift.mjs): opens the store at PAUSE_DB_URL and, on its own clock, either
 * reads the shared pause (`read`) or extends it by PAUSE_MS from now (`extend`); prints
 * `{ remainingMs }`, the pause left as this replica sees it.
 */
import { openStore } from '../../../src/jobs/store.js';

const scope = 'd365-clock';
const store = await openStore(process.env.PAUSE_DB_URL!);
try {
  const until =
    process.env.PAUSE_OP === 'extend'
      ? await store.extendPause(scope, Date.now() + Number(process.env.PAUSE_MS))
      : await store.getPausedUntil(scope);
  process.stdout.write(JSON.stringify({ remainingMs: until - Date.now() }));
} finally {
  await store.close();
}
