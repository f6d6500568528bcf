/** Schedule slots and named leases on PostgreSQL (leases on the database's clock). */
import type { PostgresConnection } from '../postgres/connection.js';
import type { ScheduleStore } from './schedule-store.js';

export function postgresSchedules(c: PostgresConnection): ScheduleStore {
  return {
    async claimScheduleSlot(schedule: string, slotMs: number, now: number): Promise<boolean> {
      const rows = await c.q(
        `INSERT INTO schedules (name, last_slot, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at
         WHERE schedules.last_slot < excluded.last_slot
         RETURNING name`,
        [schedule, slotMs, now],
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
