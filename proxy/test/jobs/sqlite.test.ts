import { join } from 'node:path';
import { openStore } from '../../src/jobs/store.js';
import { runStoreContract } from './store-contract.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
runStoreContract('sqlite', {
  open: () => openStore(`sqlite:${join(tmp.dir, 'contract.db')}`),
  cleanup: async () => tmp.remove(),
});
