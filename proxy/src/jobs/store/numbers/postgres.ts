/** The idempotency ledger and number ranges on PostgreSQL. */
import { NumberRangeExhaustedError } from '../../errors.js';
import type { PostgresConnection } from '../postgres/connection.js';
import type { NumberLedger } from './number-ledger.js';

export function postgresNumbers(c: PostgresConnection): NumberLedger {
  return {
    async ledgerGet<T = unknown>(ns: string, key: string): Promise<T | undefined> {
      const rows = await c.q<{ value: T }>('SELECT value FROM ledger WHERE ns = $1 AND key = $2', [ns, key]);
      return rows[0]?.value;
    },

    async ledgerPut<T = unknown>(
      ns: string,
      key: string,
      value: T,
      opts: { overwrite?: boolean } = {},
    ): Promise<T> {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError('ledgerPut: value must be JSON-serializable');
      if (opts.overwrite) {
        const rows = await c.q<{ value: T }>(
          `INSERT INTO ledger (ns, key, value, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at RETURNING value`,
          [ns, key, text, Date.now()],
        );
        return rows[0]!.value;
      }
      // DO UPDATE with a no-op assignment so RETURNING yields the row whether we inserted it or not.
      const rows = await c.q<{ value: T }>(
        `INSERT INTO ledger (ns, key, value, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ns, key) DO UPDATE SET value = ledger.value RETURNING value`,
        [ns, key, text, Date.now()],
      );
      return rows[0]!.value;
    },

    async allocateNumber(sequence: string, start: number, end: number): Promise<number> {
      return c.tx(async (db) => {
        await db.query('INSERT INTO sequences (name, next) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
          sequence,
          start,
        ]);
        const r = await db.query<{ n: number }>(
          `UPDATE sequences SET next = GREATEST(next, $1) + 1
           WHERE name = $2 AND GREATEST(next, $1) <= $3 RETURNING next - 1 AS n`,
          [start, sequence, end],
        );
        const n = r.rows[0]?.n;
        if (n === undefined) throw new NumberRangeExhaustedError(sequence, start, end);
        return Number(n);
      }, false); // durable with the caller's next synchronous commit (the WAL is flushed in order)
    },
  };
}
