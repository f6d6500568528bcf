/**
 * Child process of auth.test.ts: logs in with the client options in SF_CLIENT_OPTIONS (JSON) and
 * prints `{ ok }` or `{ error }`. Run with test/chaos/clock-shift.mjs so that only this process's
 * clock is off, not the Salesforce emulator's.
 */
import { createSalesforceClient, type SalesforceClientOptions } from '../../src/salesforce/index.js';

const options = JSON.parse(process.env.SF_CLIENT_OPTIONS ?? '{}') as SalesforceClientOptions;
try {
  await createSalesforceClient(options).limits();
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: (err as { error?: string }).error ?? String(err) }));
}
