/**
 * Comparing mapped values: both sides normalised to text, hashed, and only when the hashes
 * differ compared field by field. Pure functions.
 */
import { createHash } from 'node:crypto';
import { Decimal } from '../../mapping/decimals.js';

export type Values = Readonly<Record<string, string>>;

export interface FieldDifference {
  field: string;
  salesforce: string;
  fno: string;
}

/**
 * One value as text: absent, null and "" are the same (the flows send "" to clear a field and
 * F&O answers "" for an empty one); numbers compare as decimals (`100` = `100.00`); text is trimmed.
 */
export function normalise(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(value).toFixed() : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value.trim();
  return JSON.stringify(value);
}

/** The fields of `mapped`, normalised, read from `row` (the other side). */
export function pick(row: Readonly<Record<string, unknown>>, fields: readonly string[]): Values {
  return Object.fromEntries(fields.map((f) => [f, normalise(row[f])]));
}

export function normaliseAll(values: Readonly<Record<string, unknown>>): Values {
  return pick(values, Object.keys(values));
}

/** A short, stable hash of values (fields sorted by name). */
export function hashValues(values: Values): string {
  const sorted = Object.keys(values)
    .sort()
    .map((k) => [k, values[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/**
 * The fields whose values differ, in the order `salesforce` lists them: none when the hashes
 * agree; otherwise field by field, a number sent as text ("100.00") equal to a number (100).
 */
export function differences(salesforce: Values, fno: Values): FieldDifference[] {
  if (hashValues(salesforce) === hashValues(fno)) return [];
  return Object.keys(salesforce)
    .filter((f) => {
      const a = salesforce[f] ?? '';
      const b = fno[f] ?? '';
      return a !== b && !sameDecimal(a, b);
    })
    .map((f) => ({ field: f, salesforce: salesforce[f] ?? '', fno: fno[f] ?? '' }));
}

function sameDecimal(a: string, b: string): boolean {
  try {
    return a !== '' && b !== '' && new Decimal(a).equals(new Decimal(b));
  } catch {
    return false;
  }
}
