/** Schedule slots and named leases on SQLite (leases on the caller's clock: one machine). */
import type { SqliteConnection } from '../sqlite/connection.js';
import type { ScheduleStore } from './schedule-store.js';

export function sqliteSchedules(c: SqliteConnection): ScheduleStore {
  return {
    claimScheduleSlot(schedule, slotMs, now) {
      return c.tx(
        () =>
          c
            .st(
              `INSERT INTO schedules (name, last_slot, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at
           WHERE schedules.last_slot < excluded.last_slot`,
            )
            .run(schedule, slotMs, now).changes === 1,
      );
    },

    getScheduleSlot(schedule) {
      return c.read(() => {
        const r = c.st('SELECT last_slot FROM schedules WHERE name = ?').get(schedule) as
          { last_slot: number } | undefined;
        return r ? Number(r.last_slot) : null;
      });
    },

    acquireLease(name, owner, ttlMs, now) {
      return c.tx(
        () =>
          c
            .st(
              `INSERT INTO leases (name, owner, until_ms) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
           WHERE leases.owner = excluded.owner OR leases.until_ms < ?`,
            )
            .run(name, owner, now + ttlMs, now).changes === 1,
      );
    },

    async releaseLease(name, owner) {
      await c.tx(() => c.st('DELETE FROM leases WHERE name = ? AND owner = ?').run(name, owner));
    },
  };
}
