/**
 * `$filter` builders. A `Filter` is an opaque, already-escaped expression: callers compose
 * them (`and(eq('dataAreaId', 'usmf'), eq('Name', "O'Brien"))`) and never write filter text.
 * F&O supports `eq ne gt ge lt le and or not` and grouping; **no `in`, no `has`** (d365.md §2),
 * so `anyOf` expands to or-ed `eq`s, chunked to keep URLs short.
 */
import { assertPropertyPath, encodeUrlText, odataLiteral, type ODataValue } from './literal.js';

export interface Filter {
  readonly kind: 'filter';
  /** OData text, not URL-encoded. */
  readonly text: string;
}

function filter(text: string): Filter {
  return { kind: 'filter', text };
}

function compare(op: string) {
  return (field: string, value: ODataValue): Filter =>
    filter(`${assertPropertyPath(field)} ${op} ${odataLiteral(value)}`);
}

export const eq = compare('eq');
export const ne = compare('ne');
export const gt = compare('gt');
export const ge = compare('ge');
export const lt = compare('lt');
export const le = compare('le');

function combine(op: 'and' | 'or', parts: Array<Filter | undefined>): Filter {
  const present = parts.filter((p): p is Filter => p !== undefined);
  if (present.length === 0) throw new TypeError(`${op}() needs at least one filter`);
  if (present.length === 1) return present[0]!;
  return filter(present.map((p) => `(${p.text})`).join(` ${op} `));
}

export const and = (...parts: Array<Filter | undefined>): Filter => combine('and', parts);
export const or = (...parts: Array<Filter | undefined>): Filter => combine('or', parts);
export const not = (part: Filter): Filter => filter(`not (${part.text})`);

/** Default budget for one chunk of an `anyOf`, in URL-encoded characters (IIS allows 2,048 of query string). */
export const DEFAULT_MAX_FILTER_LENGTH = 1500;

/**
 * `field eq v1 or field eq v2 …`, split into as many filters as needed so that each, URL-encoded,
 * stays within `maxEncodedLength`. Run one query per chunk. Duplicates are dropped.
 */
export function anyOf(
  field: string,
  values: readonly ODataValue[],
  maxEncodedLength = DEFAULT_MAX_FILTER_LENGTH,
): Filter[] {
  assertPropertyPath(field);
  const unique = [...new Set(values.map((v) => odataLiteral(v)))];
  const chunks: Filter[] = [];
  let current: string[] = [];
  let length = 0;
  const sep = encodeUrlText(' or ').length;
  for (const literal of unique) {
    const term = `${field} eq ${literal}`;
    const termLength = encodeUrlText(term).length + 2; // parentheses
    if (current.length > 0 && length + sep + termLength > maxEncodedLength) {
      chunks.push(or(...current.map(filter)));
      current = [];
      length = 0;
    }
    current.push(term);
    length += (current.length > 1 ? sep : 0) + termLength;
  }
  if (current.length > 0) chunks.push(or(...current.map(filter)));
  return chunks;
}
