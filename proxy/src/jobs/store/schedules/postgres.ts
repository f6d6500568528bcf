/** Schedule slots and named leases on PostgreSQL (leases, and how late a slot may be, on the database's clock). */
import type { PostgresConnection } from '../postgres/connection.js';
import type { ScheduleStore } from './schedule-store.js';

/** How far ahead of the database's clock a replica's slot may be and still count (NTP-level drift). */
const SLOT_SKEW_MS = 2_000;

export function postgresSchedules(c: PostgresConnection): ScheduleStore {
  return {
    /**
     * A slot later than the database's now (plus `SLOT_SKEW_MS` of ordinary drift) is refused: a
     * replica whose clock runs ahead would otherwise record future slots, and no replica could
     * fire that schedule until the real time caught up.
     */
    async claimScheduleSlot(schedule: string, slotMs: number, now: number): Promise<boolean> {
      const rows = await c.q(
        `INSERT INTO schedules (name, last_slot, updated_at)
         SELECT $1, $2, $3 WHERE $2 <= clock_ms() + $4
         ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at
         WHERE schedules.last_slot < excluded.last_slot
         RETURNING name`,
        [schedule, slotMs, now, SLOT_SKEW_MS],
      );
      return rows.length === 1;
    },

    async getScheduleSlot(schedule: string): Promise<number | null> {
      const rows = await c.q<{ last_slot: number }>('SELECT last_slot FROM schedules WHERE name = $1', [
        schedule,
      ]);
      return rows[0] ? Number(rows[0].last_slot) : null;
    },

    /** On the database's clock: the caller's `now` is not used (one clock for every replica). */
    async acquireLease(name: string, owner: string, ttlMs: number, _now: number): Promise<boolean> {
      const rows = await c.q(
        `INSERT INTO leases (name, owner, until_ms) VALUES ($1, $2, clock_ms() + $3)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
         WHERE leases.owner = excluded.owner OR leases.until_ms < clock_ms()
         RETURNING name`,
        [name, owner, ttlMs],
      );
      return rows.length === 1;
    },

    async releaseLease(name: string, owner: string): Promise<void> {
      await c.q('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]);
    },
  };
}
