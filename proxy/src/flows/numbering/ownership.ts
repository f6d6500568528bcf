/**
 * "A record in F&O is changed only when it is provably ours." The proxy's own memory (its ledger,
 * a number in Salesforce) says which F&O key a Salesforce record *should* have; only the
 * correlation value stored in F&O at create time (the Salesforce Id in the configured field)
 * proves the F&O record at that key *is* that record. A restored backup, a fresh store against a
 * populated F&O, or two proxies sharing a number range by mistake all make the memory wrong; the
 * proof still holds.
 */
import { Counter } from 'prom-client';
import type { Registry } from '../../metrics.js';
import { SyncProblem } from '../sync/failure.js';

/**
 * True when the value F&O holds in the correlation field is this Salesforce Id: the 18-character
 * Id as the proxy writes it, or its case-sensitive 15-character form typed by someone linking a
 * record by hand.
 */
export function provesOwnership(stored: unknown, salesforceId: string): boolean {
  if (typeof stored !== 'string') return false;
  const value = stored.trim();
  if (value === '') return false;
  return value === salesforceId || (value.length === 15 && salesforceId.slice(0, 15) === value);
}

export interface OwnershipMetrics {
  /** A number or id the proxy meant to use belongs to another record in F&O. */
  collision(entity: string, company: string): void;
}

export const NO_OWNERSHIP_METRICS: OwnershipMetrics = { collision: () => {} };

export function createOwnershipMetrics(registry: Registry | undefined): OwnershipMetrics {
  if (!registry) return NO_OWNERSHIP_METRICS;
  const counter = new Counter({
    name: 'fobridge_sync_collisions_total',
    help: 'F&O records found at the key the proxy meant to use that were not provably its own (never updated; a new number was taken)',
    labelNames: ['entity', 'company'],
    registers: [registry],
  });
  return { collision: (entity, company) => counter.inc({ entity, company }) };
}

/**
 * The Salesforce record names an F&O key (its customer number, contact person id) whose F&O
 * record carries another record's id, or none: a permanent failure, nothing is written to F&O.
 */
export function notOwned(opts: {
  what: string;
  entity: string;
  key: string;
  company: string;
  salesforceId: string;
  field: string;
  found: unknown;
  salesforceField: string;
}): SyncProblem {
  const holder =
    typeof opts.found === 'string' && opts.found.trim() !== ''
      ? `belongs to Salesforce record ${opts.found.trim()}`
      : `does not carry this record's Id in ${opts.field}`;
  return new SyncProblem(
    'D365_RECORD_NOT_OWNED',
    `F&O ${opts.what} ${opts.key} in ${opts.company} ${holder}, so it was not changed. If this record really is that ${opts.what}, put ${opts.salesforceId} into ${opts.field} in F&O and replay; otherwise clear ${opts.salesforceField} in Salesforce and sync again.`,
    {
      entity: opts.entity,
      key: opts.key,
      company: opts.company,
      correlationField: opts.field,
      correlationValue: typeof opts.found === 'string' ? opts.found : null,
    },
  );
}
