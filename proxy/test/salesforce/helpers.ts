import {
  startSalesforceEmulator,
  type SalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../../test/emulators/salesforce/index.js';
import { fixturePackage, makeForceApp } from '../../../test/emulators/salesforce/test-helpers.js';
import {
  createSalesforceClient,
  type SalesforceClient,
  type SalesforceClientOptions,
} from '../../src/salesforce/index.js';

/** An emulator on an ephemeral port with the test package, plus a client wired to it. */
export async function startOrg(options: SalesforceEmulatorOptions = {}) {
  const pkg = makeForceApp(fixturePackage());
  const emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir, ...options });
  return {
    emu,
    client: (overrides: Partial<SalesforceClientOptions> = {}): SalesforceClient =>
      createSalesforceClient(clientOptions(emu, overrides)),
    close: async () => {
      await emu.close();
      pkg.cleanup();
    },
  };
}

export function clientOptions(
  emu: SalesforceEmulator,
  overrides: Partial<SalesforceClientOptions> = {},
): SalesforceClientOptions {
  return {
    loginUrl: emu.loginUrl,
    clientId: emu.consumerKey,
    username: emu.username,
    privateKey: emu.privateKeyPem!,
    namespace: emu.namespace,
    bulkPollIntervalMs: 50,
    ...overrides,
  };
}

export const accounts = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    D365_Customer_Number__c: `C-${String(from + i).padStart(5, '0')}`,
    Name: `Customer ${from + i}`,
  }));
