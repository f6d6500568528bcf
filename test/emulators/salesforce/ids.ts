/**
 * Salesforce record Ids: 15 case-sensitive characters (3-character key prefix, 2-character pod,
 * a counter) plus a 3-character case-insensitive checksum suffix that makes the 18-character form.
 */
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const POD = 'Dn';

/** Appends the checksum: for each 5-character chunk, a bit per upper-case letter. */
export function to18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags += 1 << i;
    }
    suffix += SUFFIX_CHARS.charAt(flags);
  }
  return id15 + suffix;
}

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The 18-character form of a 15- or 18-character Id, or undefined when it is not Id-shaped. */
export function normalizeId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ID_SHAPE.test(value)) return undefined;
  return to18(value.slice(0, 15));
}

export function base62(n: number, width: number): string {
  let s = '';
  let v = n;
  do {
    s = BASE62.charAt(v % 62) + s;
    v = Math.floor(v / 62);
  } while (v > 0);
  return s.padStart(width, '0');
}

/** Hands out Ids per key prefix; deterministic for a given sequence of calls. */
export class IdFactory {
  private readonly counters = new Map<string, number>();

  next(keyPrefix: string): string {
    const n = (this.counters.get(keyPrefix) ?? 0) + 1;
    this.counters.set(keyPrefix, n);
    return to18(`${keyPrefix}${POD}${base62(n, 10)}`);
  }

  reset(): void {
    this.counters.clear();
  }
}
