/**
 * What every concern's contract suite shares: the two adapters it runs against, and the test
 * data. Time is passed explicitly (`now`), so leases, backoff and retention are tested without
 * sleeping; on PostgreSQL, which judges leases by the database's clock, the suite's database
 * clock follows each call's `now` (`pinDatabaseClock`).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../../../src/jobs/store.js';
import type { EnqueueInput, JobErrorInfo, Store } from '../../../src/jobs/types.js';
import { dropSchema, pgUrl, pinDatabaseClock, tempDir, uniqueSchema } from '../helpers.js';

interface Adapter {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'sqlite',
    async open() {
      const tmp = tempDir();
      const store = await openStore(`sqlite:${join(tmp.dir, 'contract.db')}`);
      return { store, cleanup: async () => tmp.remove() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = uniqueSchema();
      const store = await pinDatabaseClock(await openStore(pgUrl(schema)), schema);
      return { store, cleanup: () => dropSchema(schema) };
    },
  },
];

/**
 * Run one concern's contract against both adapters. The suite gets a store that forwards to the
 * adapter's (opened before the tests, closed after them).
 */
export function storeContract(concern: string, suite: (store: Store) => void): void {
  for (const adapter of ADAPTERS) {
    describe(`${adapter.name} store contract: ${concern}`, () => {
      let opened: { store: Store; cleanup(): Promise<void> } | undefined;
      beforeAll(async () => {
        opened = await adapter.open();
      });
      afterAll(async () => {
        await opened?.store.close();
        await opened?.cleanup();
      });
      suite(
        new Proxy({} as Store, {
          get: (_, prop) => {
            if (!opened) throw new Error('the store is not open yet');
            const value: unknown = Reflect.get(opened.store, prop);
            return typeof value === 'function' ? (value as () => unknown).bind(opened.store) : value;
          },
        }),
      );
    });
  }
}

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
export const LEASE = 60_000;
let seq = 0;
/** Every test uses its own flow name so tests never see each other's jobs. */
export const freshFlow = () => `f${++seq}`;
export const job = (
  flow: string,
  key: string,
  version: string,
  payload: unknown = { v: version },
): EnqueueInput => ({
  flow,
  key,
  version,
  payload,
});
export const err = (code: string, transient: boolean, attempt = 1): JobErrorInfo => ({
  code,
  message: `${code} happened`,
  details: { field: 'Name' },
  transient,
  attempt,
  at: T0,
});

/** `claimAll(flow, now)`: claim every due job of `flow` with the contract's lease. */
export const claimer =
  (store: Store) =>
  (flow: string, now: number, limit = 100) =>
    store.claim({ now, limit, leaseMs: LEASE, flows: [flow] });
