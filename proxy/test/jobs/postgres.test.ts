import { describe } from 'vitest';
import { openStore } from '../../src/jobs/store.js';
import { runStoreContract } from './store-contract.js';
import { DATABASE_URL, dropSchema, pgUrl, skipMessage, uniqueSchema } from './helpers.js';

skipMessage('postgres.test.ts');
const schema = uniqueSchema();
describe.skipIf(!DATABASE_URL)('postgres', () => {
  runStoreContract('postgres', {
    open: () => openStore(pgUrl(schema)),
    cleanup: () => dropSchema(schema),
  });
});
