/** The governor's shared pause on SQLite. */
import type { SqliteConnection } from '../sqlite/connection.js';
import type { PauseState } from './pause-state.js';

export function sqlitePause(c: SqliteConnection): PauseState {
  return {
    getPausedUntil(scope) {
      return c.read(() => {
        const r = c.st('SELECT until_ms FROM pauses WHERE scope = ?').get(scope) as
          { until_ms: number } | undefined;
        return r ? Number(r.until_ms) : 0;
      });
    },

    extendPause(scope, untilMs) {
      return c.tx(() => {
        const r = c
          .st(
            `INSERT INTO pauses (scope, until_ms) VALUES (?, ?)
         ON CONFLICT (scope) DO UPDATE SET until_ms = MAX(pauses.until_ms, excluded.until_ms)
         RETURNING until_ms`,
          )
          .get(scope, Math.floor(untilMs)) as { until_ms: number };
        return Number(r.until_ms);
      });
    },
  };
}
