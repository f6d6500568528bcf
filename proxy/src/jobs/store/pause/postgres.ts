/**
 * The governor's shared pause on PostgreSQL.
 *
 * The pause's end is stored (and notified) on the DATABASE's clock: replicas whose clocks differ
 * must agree on when F&O's pause ends. The governor speaks its own clock (epoch ms from
 * `Date.now()`), so each replica converts with its measured offset to the database's clock. Stored
 * on the writer's clock, a replica 5 min slow read a pause another replica had just stored as 5 min
 * longer than F&O asked, and held its claimed jobs that long (the fault matrix's −5 min row).
 */
import type { PostgresConnection } from '../postgres/connection.js';
import { PAUSE_CHANNEL } from './notifications.js';
import type { PauseState } from './pause-state.js';

/** How long a measured offset is trusted (a replica's clock can be stepped by NTP or by hand). */
const OFFSET_TTL_MS = 60_000;

export function postgresPause(c: PostgresConnection): PauseState {
  const offset = databaseClockOffset(c);
  return {
    async getPausedUntil(scope: string): Promise<number> {
      const [rows, off] = await Promise.all([
        c.q<{ until_ms: number }>('SELECT until_ms FROM pauses WHERE scope = $1', [scope]),
        offset.get(),
      ]);
      return rows[0] ? Number(rows[0].until_ms) - off : 0;
    },

    async extendPause(scope: string, untilMs: number): Promise<number> {
      const off = await offset.get();
      const dbUntil = Math.floor(untilMs) + off;
      c.pauseListener.announce(scope, dbUntil);
      // The row's own notification (notifications.ts) is delivered with the commit, carrying the end now stored.
      const rows = await c.q<{ until_ms: number }>(
        `WITH up AS (
           INSERT INTO pauses (scope, until_ms) VALUES ($1, $2)
           ON CONFLICT (scope) DO UPDATE SET until_ms = GREATEST(pauses.until_ms, excluded.until_ms)
           RETURNING until_ms)
         SELECT until_ms, pg_notify($3, json_build_array($4::text, $1::text, until_ms)::text) FROM up`,
        [scope, dbUntil, PAUSE_CHANNEL, c.schema],
      );
      return Number(rows[0]!.until_ms) - off;
    },

    /** Every replica's new pause end for `scope`, as soon as it is committed (a LISTEN connection of its own). */
    subscribePause(scope: string, onExtended: (untilMs: number) => void): () => void {
      void offset.get().catch(() => {}); // measured before the first notice, when the database answers
      return c.pauseListener.subscribe(scope, (dbUntil) => onExtended(dbUntil - offset.last()));
    },
  };
}

/**
 * The database's clock minus this process's (ms), measured with one round trip and taken at its
 * midpoint (error ≤ half the round trip), re-measured after `OFFSET_TTL_MS`. `last()` is the latest
 * measurement, for the synchronous notification path (0 before the first one).
 */
function databaseClockOffset(c: PostgresConnection): { get(): Promise<number>; last(): number } {
  let value = 0;
  let measuredAt = -Infinity;
  let pending: Promise<number> | undefined;
  const measure = async (): Promise<number> => {
    const t0 = Date.now();
    // clock_ms(): the store's clock, the one leases and schedules are judged by (migrations.ts).
    const rows = await c.q<{ ms: string }>('SELECT clock_ms() AS ms');
    const t1 = Date.now();
    value = Math.round(Number(rows[0]!.ms) - (t0 + t1) / 2);
    measuredAt = t1;
    return value;
  };
  return {
    get() {
      const now = Date.now();
      if (now - measuredAt < OFFSET_TTL_MS && now >= measuredAt) return Promise.resolve(value);
      pending ??= measure().finally(() => (pending = undefined));
      return pending;
    },
    last: () => value,
  };
}
