/**
 * The pure parts of doctor: the field list it checks FLS on is exactly what the flows read and
 * write, the callout recorder writes rarely and keeps nothing secret, and the configuration
 * checks catch settings that parse one by one but do not make a working proxy.
 */
import { describe, expect, it } from 'vitest';
import { createCalloutRecorder, flowFieldUse } from '../../src/flows/doctor/index.js';
import { configurationChecks } from '../../src/flows/doctor/configuration.js';
import { SALESFORCE_TO_FNO } from '../../src/flows/sync/registry.js';
import { selectedFields } from '../../src/flows/sync/flow.js';
import { runSyncJob, SYNC_STATUS_FIELDS } from '../../src/flows/sync/job-frame.js';
import type { Job, JobContext } from '../../src/jobs/index.js';
import { testConfig } from '../http/helpers.js';

describe('flowFieldUse', () => {
  const uses = Object.fromEntries(flowFieldUse().map((u) => [u.object, u]));

  it('reads every field of the sweep queries, relationship fields on the object they reach', () => {
    for (const flow of SALESFORCE_TO_FNO) {
      for (const f of selectedFields(flow.select).filter((f) => !f.includes('.')))
        expect(uses[flow.sobject]!.read).toContain(f);
    }
    expect(uses.Account!.read).toEqual(expect.arrayContaining(['Name', 'D365_Legal_Entity__c']));
    expect(uses.Product2!.read.sort()).toEqual(['D365_Item_Number__c', 'Name', 'ProductCode']);
    expect(uses.OpportunityLineItem!.read).toEqual(
      expect.arrayContaining(['OpportunityId', 'Product2Id', 'Quantity', 'UnitPrice', 'ServiceDate']),
    );
  });

  it('writes what the sync job writes back on success, for each object', async () => {
    for (const [object, keyField] of [
      ['Account', 'D365_Customer_Number__c'],
      ['Contact', 'D365_Contact_Person_Id__c'],
      ['Opportunity', 'D365_Sales_Order_Number__c'],
    ] as const) {
      const written: string[] = [];
      await runSyncJob(
        { object, what: object, keyField },
        { key: 'x', flow: object } as unknown as Job<unknown>,
        {
          signal: new AbortController().signal,
          attempt: 1,
          log: { info() {} },
          releaseCapacity() {},
        } as unknown as JobContext,
        {
          maxAttempts: 3,
          writeBack: {
            configured: true,
            write: async (_o: unknown, _id: unknown, fields: Record<string, unknown>) =>
              void written.push(...Object.keys(fields)),
            close: async () => {},
          },
        },
        async () => 'KEY1',
      );
      expect(uses[object]!.write.sort()).toEqual(written.sort());
      expect(uses[object]!.write).toEqual(expect.arrayContaining([keyField, ...SYNC_STATUS_FIELDS]));
      // A field the flow writes must be readable too.
      expect(uses[object]!.read).toEqual(expect.arrayContaining(uses[object]!.write));
    }
  });
});

describe('createCalloutRecorder', () => {
  it('writes the first callout at once, then at most once a minute unless the credential changes', async () => {
    const writes: unknown[] = [];
    let now = 1_000_000;
    const rec = createCalloutRecorder(
      { ledgerPut: async (_ns, _key, value) => void writes.push(value) as never },
      { now: () => now },
    );
    rec.record({ kind: 'salesforce', scopes: ['sync'], subject: 'user@example.com' } as never);
    rec.record({ kind: 'salesforce', scopes: ['sync'] });
    now += 30_000;
    rec.record({ kind: 'salesforce', scopes: ['sync'] });
    rec.record({ kind: 'salesforce', scopes: ['inventory'] });
    now += 61_000;
    rec.record({ kind: 'salesforce', scopes: ['inventory'] });
    rec.record({ kind: 'admin' });
    rec.record(undefined);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([
      { kind: 'salesforce', scopes: ['sync'], at: 1_000_000 },
      { kind: 'salesforce', scopes: ['inventory'], at: 1_030_000 },
      { kind: 'salesforce', scopes: ['inventory'], at: 1_091_000 },
    ]);
  });
});

describe('configurationChecks', () => {
  const failing = (env: Record<string, string>) =>
    configurationChecks(testConfig(env)).filter((c) => c.status === 'fail');

  it('names what is missing from a half-configured connection', () => {
    const f = failing({
      D365_URL: 'https://contoso.operations.dynamics.com',
      D365_CLIENT_ID: 'app',
      SF_CLIENT_ID: 'x',
      INBOUND_API_KEYS: 'dev-key-0123456789abcdef',
      BRIDGE_CONFIG: 'bridge.json',
    });
    expect(f.map((c) => c.verdict)).toEqual([
      'F&O connection is half configured: D365_TENANT_ID, D365_CLIENT_SECRET missing (D365_URL, D365_CLIENT_ID set)',
      'Salesforce connection is half configured: SF_USERNAME, SF_PRIVATE_KEY missing (SF_CLIENT_ID set)',
    ]);
    expect(f[0]!.fix).toBe('set D365_TENANT_ID, D365_CLIENT_SECRET, or unset D365_URL, D365_CLIENT_ID');
  });

  it('fails without any inbound credential or mapping file', () => {
    expect(failing({}).map((c) => c.id)).toEqual([
      'configuration.fno',
      'configuration.salesforce',
      'configuration.mapping',
      'configuration.inbound',
    ]);
  });

  it('applies the production rules with NODE_ENV=production', () => {
    const f = failing({
      NODE_ENV: 'production',
      INBOUND_JWT_CERT: '-----BEGIN CERTIFICATE-----\\nMA==\\n-----END CERTIFICATE-----',
      INBOUND_JWT_ISSUER: 'issuer',
      INBOUND_JWT_AUDIENCE: 'audience',
      METRICS_PUBLIC: 'true',
      D365_URL: 'http://fno.example.com',
    });
    expect(f.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'configuration.production.D365_URL',
        'configuration.production.METRICS_PUBLIC',
        'configuration.production.ADMIN_API_KEYS',
      ]),
    );
    expect(f.find((c) => c.id === 'configuration.production.METRICS_PUBLIC')!.verdict).toBe(
      'NODE_ENV=production but METRICS_PUBLIC opens /metrics to anyone',
    );
  });
});
