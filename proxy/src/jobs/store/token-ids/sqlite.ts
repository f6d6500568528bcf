/** Seen token ids on SQLite. */
import type { SqliteConnection } from '../sqlite/connection.js';
import { TOKEN_ID_PURGE_EVERY_MS, type TokenIdLedger } from './token-id-ledger.js';

export function sqliteTokenIds(c: SqliteConnection): TokenIdLedger {
  let purgedAt = 0;
  return {
    rememberTokenId(id, expiresAtMs, nowMs) {
      return c.tx(() => {
        if (nowMs - purgedAt > TOKEN_ID_PURGE_EVERY_MS) {
          c.st('DELETE FROM seen_token_ids WHERE expires_at <= ?').run(nowMs);
          purgedAt = nowMs;
        }
        return (
          c
            .st(
              `INSERT INTO seen_token_ids (id, expires_at) VALUES (?, ?)
      ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_token_ids.expires_at <= ?`,
            )
            .run(id, Math.ceil(expiresAtMs), nowMs).changes === 1
        );
      });
    },
  };
}
