import { describe } from 'vitest';
import { openStore } from '../../src/jobs/store.js';
import { runStoreContract } from './store-contract.js';
import { dropSchema, pgUrl, uniqueSchema } from './helpers.js';

const schema = uniqueSchema();
describe('postgres', () => {
  runStoreContract('postgres', {
    open: () => openStore(pgUrl(schema)),
    cleanup: () => dropSchema(schema),
  });
});
