/** The idempotency ledger and number ranges on SQLite. */
import { NumberRangeExhaustedError } from '../../errors.js';
import type { SqliteConnection } from '../sqlite/connection.js';
import type { NumberLedger } from './number-ledger.js';

export function sqliteNumbers(c: SqliteConnection): NumberLedger {
  return {
    ledgerGet<T = unknown>(ns: string, key: string): Promise<T | undefined> {
      return c.read(() => {
        const r = c.st('SELECT value FROM ledger WHERE ns = ? AND key = ?').get(ns, key) as
          { value: string } | undefined;
        return r ? (JSON.parse(r.value) as T) : undefined;
      });
    },

    ledgerPut<T = unknown>(
      ns: string,
      key: string,
      value: T,
      opts: { overwrite?: boolean } = {},
    ): Promise<T> {
      return c.tx(() => {
        const text = JSON.stringify(value);
        if (text === undefined) throw new TypeError('ledgerPut: value must be JSON-serializable');
        c.st(
          opts.overwrite
            ? `INSERT INTO ledger (ns, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
            : 'INSERT INTO ledger (ns, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO NOTHING',
        ).run(ns, key, text, Date.now());
        const r = c.st('SELECT value FROM ledger WHERE ns = ? AND key = ?').get(ns, key) as {
          value: string;
        };
        return JSON.parse(r.value) as T;
      });
    },

    allocateNumber(sequence, start, end) {
      // Not durable on its own (no fsync): the WAL is written in order, so the caller's next durable
      // commit (the ledger entry that claims the number, before it is ever sent) makes it durable.
      // A crash before that loses only a number nobody used.
      return c.tx(() => {
        c.st('INSERT INTO sequences (name, next) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(
          sequence,
          start,
        );
        const r = c
          .st(
            `UPDATE sequences SET next = MAX(next, ?) + 1 WHERE name = ? AND MAX(next, ?) <= ? RETURNING next - 1 AS n`,
          )
          .get(start, sequence, start, end) as { n: number } | undefined;
        if (!r) throw new NumberRangeExhaustedError(sequence, start, end);
        return Number(r.n);
      }, false);
    },
  };
}
