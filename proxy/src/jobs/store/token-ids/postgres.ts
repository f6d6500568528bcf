/** Seen token ids on PostgreSQL. */
import type { PostgresConnection } from '../postgres/connection.js';
import { TOKEN_ID_PURGE_EVERY_MS, type TokenIdLedger } from './token-id-ledger.js';

export function postgresTokenIds(c: PostgresConnection): TokenIdLedger {
  let purgedAt = 0;
  return {
    async rememberTokenId(id: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
      if (nowMs - purgedAt > TOKEN_ID_PURGE_EVERY_MS) {
        purgedAt = nowMs;
        await c.q('DELETE FROM seen_token_ids WHERE expires_at <= $1', [nowMs]);
      }
      const rows = await c.q(
        `INSERT INTO seen_token_ids (id, expires_at) VALUES ($1, $2)
      ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_token_ids.expires_at <= $3
      RETURNING id`,
        [id, Math.ceil(expiresAtMs), nowMs],
      );
      return rows.length === 1;
    },
  };
}
