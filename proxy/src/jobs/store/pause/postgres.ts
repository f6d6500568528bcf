/** The governor's shared pause on PostgreSQL. */
import type { PostgresConnection } from '../postgres/connection.js';
import type { PauseState } from './pause-state.js';

export function postgresPause(c: PostgresConnection): PauseState {
  return {
    async getPausedUntil(scope: string): Promise<number> {
      const rows = await c.q<{ until_ms: number }>('SELECT until_ms FROM pauses WHERE scope = $1', [scope]);
      return rows[0] ? Number(rows[0].until_ms) : 0;
    },

    async extendPause(scope: string, untilMs: number): Promise<number> {
      const rows = await c.q<{ until_ms: number }>(
        `INSERT INTO pauses (scope, until_ms) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET until_ms = GREATEST(pauses.until_ms, excluded.until_ms)
         RETURNING until_ms`,
        [scope, Math.floor(untilMs)],
      );
      return Number(rows[0]!.until_ms);
    },
  };
}
