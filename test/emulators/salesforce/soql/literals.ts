import { SfError } from '../errors.js';

/** A date literal (`TODAY`, `LAST_N_DAYS:30`) is a half-open UTC range [start, end) in ms. */
export interface DateRange {
  start: number;
  end: number;
}

const DAY = 86_400_000;

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

function monthStart(year: number, month: number): number {
  return Date.UTC(year, month, 1);
}

/**
 * The date literals the emulator understands (org time zone = UTC). `LAST_N_DAYS:n` covers
 * today and the n days before it, as in Salesforce.
 */
export function dateLiteralRange(literal: string, now = Date.now()): DateRange {
  const today = startOfDay(now);
  const [name, nRaw] = literal.toUpperCase().split(':');
  const n = Number(nRaw ?? 0);
  const d = new Date(today);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (name) {
    case 'TODAY':
      return { start: today, end: today + DAY };
    case 'YESTERDAY':
      return { start: today - DAY, end: today };
    case 'TOMORROW':
      return { start: today + DAY, end: today + 2 * DAY };
    case 'LAST_N_DAYS':
      return { start: today - n * DAY, end: today + DAY };
    case 'NEXT_N_DAYS':
      return { start: today + DAY, end: today + (n + 1) * DAY };
    case 'N_DAYS_AGO':
      return { start: today - n * DAY, end: today - (n - 1) * DAY };
    case 'LAST_90_DAYS':
      return { start: today - 90 * DAY, end: today + DAY };
    case 'NEXT_90_DAYS':
      return { start: today + DAY, end: today + 91 * DAY };
    case 'THIS_MONTH':
      return { start: monthStart(y, m), end: monthStart(y, m + 1) };
    case 'LAST_MONTH':
      return { start: monthStart(y, m - 1), end: monthStart(y, m) };
    case 'NEXT_MONTH':
      return { start: monthStart(y, m + 1), end: monthStart(y, m + 2) };
    case 'THIS_YEAR':
      return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
    case 'LAST_YEAR':
      return { start: Date.UTC(y - 1, 0, 1), end: Date.UTC(y, 0, 1) };
    default:
      throw new SfError(400, 'MALFORMED_QUERY', `Date literal ${literal} is not supported by the emulator`);
  }
}

/** `'O\'Brien'` → `O'Brien`. */
export function unquote(raw: string): string {
  const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  return inner.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c,
  );
}

/** SOQL LIKE (`%`, `_`; case-insensitive) as a RegExp. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (const c of pattern) {
    if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}
