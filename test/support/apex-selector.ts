/**
 * The records the package's Apex would send, read from a Salesforce org (the emulator) with the
 * package's own SOQL: the queries are taken from `D365SyncSelector.cls` at run time, so they
 * select what the Apex selects. REST answers null fields as `null`; they are left out here, as
 * Apex `JSON.serialize` leaves them out.
 */
import { readFileSync } from 'node:fs';
import type { SalesforceClient } from '../../proxy/src/salesforce/index.js';

const SELECTOR = new URL('../../force-app/main/default/classes/sync/D365SyncSelector.cls', import.meta.url);

export type SyncObject = 'Account' | 'Contact' | 'Opportunity';

/** The `[ SELECT … FROM <object> … ]` of the selector, ready for REST (`:recordIds` bound, no `WITH USER_MODE`). */
export function selectorSoql(object: SyncObject, ids: string[]): string {
  const apex = readFileSync(SELECTOR, 'utf8');
  const queries = [...apex.matchAll(/\[\s*(SELECT[\s\S]*?)\s*\];/g)].map((m) => m[1]!);
  const query = queries.find((q) => new RegExp(`\\)?\\s*FROM ${object}\\s+WHERE Id IN :recordIds`).test(q));
  if (!query) throw new Error(`D365SyncSelector has no query FROM ${object}`);
  const literal = ids.map((id) => `'${id.replace(/'/g, '')}'`).join(',');
  return query
    .replace(':recordIds', `(${literal})`)
    .replace(/\bWITH USER_MODE\b/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The records of `ids` as the package's Queueable would put them in `{ records: [...] }`. */
export async function selectForSync(
  salesforce: SalesforceClient,
  object: SyncObject,
  ids: string[],
): Promise<Array<Record<string, unknown>>> {
  const records = await salesforce.queryAll<Record<string, unknown>>(selectorSoql(object, ids));
  return records.map((r) => withoutNulls(r) as Record<string, unknown>);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}
