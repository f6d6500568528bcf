/**
 * The ONE place where the package namespace is applied. Flows and mappings use the package's
 * own API names (`D365_Customer_Number__c`, `Invoice__c`); in a subscriber org of the managed
 * package those are `ns__D365_Customer_Number__c`, `ns__Invoice__c`. Standard names
 * (`Account`, `Name`, `AccountId`) and names of other packages (already `x__Y__c`) are untouched.
 */

const CUSTOM = /^[A-Za-z][A-Za-z0-9_]*?__(c|r|e|mdt|x|b)$/;

function isLocalCustom(name: string): boolean {
  return CUSTOM.test(name) && name.split('__').length === 2;
}

export interface Namespacer {
  readonly namespace: string;
  /** `D365_Customer_Number__c` → `ns__D365_Customer_Number__c`; dotted paths per segment. */
  sfName(name: string): string;
  /** The inverse: `ns__Invoice__c` → `Invoice__c`; other names unchanged. */
  localName(name: string): string;
  /** Record keys (and one level of nested relationship objects, `attributes.type`) to org names. */
  toSf<T extends Record<string, unknown>>(record: T): Record<string, unknown>;
  /** Query/describe output back to package names, recursively (parents and child subqueries). */
  fromSf<T = Record<string, unknown>>(value: unknown): T;
  /** Rewrites identifiers in a SOQL string, leaving string literals alone. */
  soql(query: string): string;
}

export function createNamespacer(namespace = ''): Namespacer {
  const prefix = namespace ? `${namespace}__` : '';
  const one = (segment: string) => (prefix && isLocalCustom(segment) ? prefix + segment : segment);
  const sfName = (name: string) => (prefix ? name.split('.').map(one).join('.') : name);
  const localName = (name: string) =>
    prefix
      ? name
          .split('.')
          .map((s) =>
            s.toLowerCase().startsWith(prefix.toLowerCase()) && isLocalCustom(s.slice(prefix.length))
              ? s.slice(prefix.length)
              : s,
          )
          .join('.')
      : name;

  const toSf = (record: Record<string, unknown>): Record<string, unknown> => {
    if (!prefix) return record;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      if (k === 'attributes' && v && typeof v === 'object') {
        const a = v as Record<string, unknown>;
        out[k] = typeof a.type === 'string' ? { ...a, type: sfName(a.type) } : a;
      } else if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
        out[sfName(k)] = toSf(v as Record<string, unknown>);
      } else {
        out[sfName(k)] = v;
      }
    }
    return out;
  };

  const fromSf = (value: unknown): any => {
    if (!prefix || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(fromSf);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'attributes' && v && typeof v === 'object') {
        const a = v as Record<string, unknown>;
        out[k] = typeof a.type === 'string' ? { ...a, type: localName(a.type) } : a;
      } else {
        out[localName(k)] = fromSf(v);
      }
    }
    return out;
  };

  const soql = (query: string): string => {
    if (!prefix) return query;
    let out = '';
    let i = 0;
    while (i < query.length) {
      const c = query[i]!;
      if (c === "'") {
        // Copy a string literal verbatim (with backslash escapes).
        let j = i + 1;
        while (j < query.length && query[j] !== "'") j += query[j] === '\\' ? 2 : 1;
        out += query.slice(i, j + 1);
        i = j + 1;
      } else if (/[A-Za-z_]/.test(c)) {
        let j = i;
        while (j < query.length && /[A-Za-z0-9_]/.test(query[j]!)) j++;
        out += one(query.slice(i, j));
        i = j;
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };

  return { namespace, sfName, localName, toSf: toSf as Namespacer['toSf'], fromSf, soql };
}
