/**
 * A number of the proxy's range that F&O already holds for another record (a collision): that
 * F&O record is never touched; the collision is logged and counted, and the Salesforce record
 * gets the next number of the range. Past `MAX_COLLISIONS_PER_ATTEMPT` in one attempt the job
 * backs off (`NUMBER_COLLISION`, transient); the ledger keeps its progress.
 */
import type { JobContext } from '../../jobs/index.js';
import { SyncProblem } from '../sync/failure.js';
import type { SyncFlowDeps } from '../sync/flow.js';
import { replaceNumber, type LedgerNumber, type numberFor } from './ledger-number.js';

/** Collisions resolved within one attempt; past it the job backs off (the counter keeps its progress). */
export const MAX_COLLISIONS_PER_ATTEMPT = 20;

export interface CollisionOptions {
  ctx: Pick<JobContext, 'log'>;
  deps: Pick<SyncFlowDeps, 'store' | 'ownership'>;
  ledger: Parameters<typeof numberFor>[1];
  entity: string;
  company: string;
  salesforceId: string;
  correlationField: string;
  /** What the numbers are of, for people: `customer`, `sales order`. */
  what: string;
  /** What F&O holds at such a number: `customer account`, `order`. */
  holds: string;
  /** The number's name in the log and the dead letter: `customerAccount`, `salesOrderNumber`. */
  keyName: string;
}

/** Call with the F&O row found at `taken`; resolves to the number to try next. */
export function collisions(
  opts: CollisionOptions,
): (row: Record<string, unknown>, taken: string) => Promise<LedgerNumber> {
  const { ctx, deps, entity, company, keyName } = opts;
  let count = 0;
  return async (row, taken) => {
    count += 1;
    const holder = row[opts.correlationField];
    ctx.log.warn(
      {
        company,
        [keyName]: taken,
        salesforceId: opts.salesforceId,
        correlationField: opts.correlationField,
        ownedBy: typeof holder === 'string' && holder.trim() !== '' ? holder.trim() : null,
      },
      `${opts.what} number collision: F&O already has this ${opts.holds} for another record; taking the next number`,
    );
    deps.ownership?.collision(entity, company);
    if (count >= MAX_COLLISIONS_PER_ATTEMPT) {
      throw new SyncProblem(
        'NUMBER_COLLISION',
        `${count} ${opts.what} numbers in a row up to ${taken} already exist in F&O ${company} for other records; the job continues from the next number on its next attempt. Reserve the proxy's range in F&O (docs/flows.md "Numbering ranges").`,
        { entity, company, [keyName]: taken },
        { transient: true, retryAfterMs: 5_000 },
      );
    }
    return replaceNumber(deps.store, opts.ledger, taken);
  };
}
