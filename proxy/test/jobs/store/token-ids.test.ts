/** The seen-jti ledger in both stores: once per token lifetime, agreed across store handles. */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStore } from '../../../src/jobs/store.js';
import type { Store } from '../../../src/jobs/types.js';
import {
  memoryTokenIdLedger,
  tokenIdLedgerOf,
  type TokenIdLedger,
} from '../../../src/jobs/store/token-ids/token-id-ledger.js';
import { dropSchema, pgUrl, tempDir, uniqueSchema } from '../helpers.js';

const T0 = 1_800_000_000_000;

function contract(
  name: string,
  open: () => Promise<{ a: TokenIdLedger; b: TokenIdLedger; close(): Promise<void> }>,
) {
  describe(name, () => {
    it('accepts an id once, refuses it until it expires, then accepts it again', async () => {
      const { a, b, close } = await open();
      try {
        expect(await a.rememberTokenId('iss|jti-1', T0 + 120_000, T0)).toBe(true);
        expect(await a.rememberTokenId('iss|jti-1', T0 + 120_000, T0 + 1000)).toBe(false);
        // Another replica (another handle on the same store) agrees.
        expect(await b.rememberTokenId('iss|jti-1', T0 + 120_000, T0 + 2000)).toBe(false);
        expect(await b.rememberTokenId('iss|jti-2', T0 + 120_000, T0 + 2000)).toBe(true);
        // After the token's lifetime the id can no longer be replayed anyway; its slot is free.
        expect(await a.rememberTokenId('iss|jti-1', T0 + 400_000, T0 + 200_000)).toBe(true);
        expect(await b.rememberTokenId('iss|jti-1', T0 + 400_000, T0 + 200_001)).toBe(false);
      } finally {
        await close();
      }
    });

    it('lets exactly one of many concurrent uses of an id through', async () => {
      const { a, b, close } = await open();
      try {
        const tries = Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).rememberTokenId('iss|race', T0 + 120_000, T0),
        );
        const results = await Promise.all(tries);
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await close();
      }
    });
  });
}

function ledger(store: Store): TokenIdLedger {
  const l = tokenIdLedgerOf(store);
  if (!l) throw new Error(`${store.kind} store has no token-id ledger`);
  return l;
}

const dir = tempDir('fobridge-jti-');
afterAll(() => dir.remove());
let n = 0;
contract('sqlite', async () => {
  const path = join(dir.dir, `ids-${n++}.db`);
  const s1 = await openStore(`sqlite:${path}`);
  const s2 = await openStore(`sqlite:${path}`);
  return { a: ledger(s1), b: ledger(s2), close: async () => (await s1.close(), s2.close()) };
});

describe('postgres', () => {
  contract('shared schema', async () => {
    const schema = uniqueSchema('jti_test');
    const s1 = await openStore(pgUrl(schema));
    const s2 = await openStore(pgUrl(schema));
    return {
      a: ledger(s1),
      b: ledger(s2),
      close: async () => {
        await s1.close();
        await s2.close();
        await dropSchema(schema);
      },
    };
  });
});

contract('memory', async () => {
  const m = memoryTokenIdLedger();
  return { a: m, b: m, close: async () => {} };
});
