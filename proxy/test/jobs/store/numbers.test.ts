/** Number ranges and the idempotency ledger on both stores. */
import { expect, it } from 'vitest';
import { NumberRangeExhaustedError } from '../../../src/jobs/errors.js';
import { freshFlow, storeContract } from './contract.js';

storeContract('numbers', (store) => {
  it('number allocation is atomic and says clearly when the range is exhausted', async () => {
    const seqName = `cust-${freshFlow()}`;
    const got = await Promise.all(
      Array.from({ length: 10 }, () => store.allocateNumber(seqName, 1000, 1009)),
    );
    expect([...got].sort((a, b) => a - b)).toEqual([
      1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009,
    ]);
    const e = await store.allocateNumber(seqName, 1000, 1009).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NumberRangeExhaustedError);
    expect((e as Error).message).toMatch(/exhausted/);
    // a new range configured later continues from its start
    expect(await store.allocateNumber(seqName, 5000, 5999)).toBe(5000);
  });

  it('ledger: first writer wins unless overwriting', async () => {
    const ns = `ledger-${freshFlow()}`;
    expect(await store.ledgerGet(ns, 'opp-1')).toBeUndefined();
    expect(await store.ledgerPut(ns, 'opp-1', { number: 'SO-1' })).toEqual({ number: 'SO-1' });
    expect(await store.ledgerPut(ns, 'opp-1', { number: 'SO-2' })).toEqual({ number: 'SO-1' });
    expect(await store.ledgerPut(ns, 'opp-1', { number: 'SO-3' }, { overwrite: true })).toEqual({
      number: 'SO-3',
    });
    expect(await store.ledgerGet(ns, 'opp-1')).toEqual({ number: 'SO-3' });
  });
});
