/** The governor's shared pause on both stores. */
import { expect, it } from 'vitest';
import { freshFlow, storeContract, T0 } from './contract.js';

storeContract('pause', (store) => {
  it('pause state is raised and never shortened', async () => {
    const scope = `d365-${freshFlow()}`;
    expect(await store.getPausedUntil(scope)).toBe(0);
    expect(await store.extendPause(scope, T0 + 30_000)).toBe(T0 + 30_000);
    expect(await store.extendPause(scope, T0 + 10_000)).toBe(T0 + 30_000);
    expect(await store.getPausedUntil(scope)).toBe(T0 + 30_000);
    expect(await store.extendPause(scope, T0 + 60_000)).toBe(T0 + 60_000);
  });
});
