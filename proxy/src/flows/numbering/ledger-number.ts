/**
 * A proxy-assigned number that belongs to one Salesforce record for good (docs/flows.md,
 * "Create-once guarantees"): allocated from the company's range once, stored in the ledger (first writer
 * wins), and read back by every later attempt, so every retry targets the same F&O key.
 */
import type { NumberLedger } from '../../jobs/index.js';

export interface LedgerNumber {
  value: string;
  /**
   * true when this call allocated it: no earlier attempt can have sent it to F&O, so there is
   * nothing to look up before the first create.
   */
  fresh: boolean;
}

export async function numberFor(
  store: NumberLedger,
  opts: {
    /** Ledger namespace, e.g. `customer-number`. */
    ledger: string;
    /** Ledger key, e.g. `usmf:001…` (company + Salesforce Id). */
    key: string;
    /** Counter name, e.g. `customer:usmf`. */
    sequence: string;
    start: number;
    end: number;
    format: (n: number) => string;
  },
): Promise<LedgerNumber> {
  const known = await store.ledgerGet<string>(opts.ledger, opts.key);
  if (known) return { value: known, fresh: false };
  const candidate = opts.format(await store.allocateNumber(opts.sequence, opts.start, opts.end));
  const stored = await store.ledgerPut<string>(opts.ledger, opts.key, candidate);
  // Another worker won the race: its number is the record's; ours stays unused (a gap, never a duplicate).
  return { value: stored, fresh: stored === candidate };
}

/**
 * A number that turned out to belong to someone else in F&O (a collision): the record gets the
 * next number of the range instead, stored over the old one so every later attempt uses it. The
 * taken number is never used again by this proxy (the counter only moves forward).
 */
export async function replaceNumber(
  store: NumberLedger,
  opts: Parameters<typeof numberFor>[1],
  taken: string,
): Promise<LedgerNumber> {
  const current = await store.ledgerGet<string>(opts.ledger, opts.key);
  // Another attempt already moved on from `taken`: use its number.
  if (current && current !== taken) return { value: current, fresh: false };
  const next = opts.format(await store.allocateNumber(opts.sequence, opts.start, opts.end));
  await store.ledgerPut<string>(opts.ledger, opts.key, next, { overwrite: true });
  return { value: next, fresh: true };
}
