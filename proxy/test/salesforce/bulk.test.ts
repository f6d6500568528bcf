import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceClient } from '../../src/salesforce/index.js';
import { accounts, startOrg } from './helpers.js';

describe('Salesforce client: Bulk API 2.0 for large sets', () => {
  let org: Awaited<ReturnType<typeof startOrg>>;
  let client: SalesforceClient;
  beforeAll(async () => {
    org = await startOrg();
    client = org.client({ bulkThreshold: 2000, bulkPollIntervalMs: 100 });
  });
  beforeEach(() => {
    org.emu.control.reset();
    org.emu.control.resetCounters();
  });
  afterAll(async () => org.close());

  it('upserts 10,000 records in one bulk job, with failed rows mapped back to their input position', async () => {
    const records: Array<Record<string, unknown>> = accounts(10_000);
    const bad = [3, 4_999, 9_998];
    records[3] = { ...records[3], Name: 'x'.repeat(256) };
    records[4_999] = { ...records[4_999], Name: null };
    records[9_998] = { ...records[9_998], NumberOfEmployees: 'lots' };
    records[10] = { ...records[10], Phone: '+1 555 0100', Website: undefined };
    // A few already exist: they come back created=false.
    await client.upsertMany('Account', 'D365_Customer_Number__c', accounts(5, 100));
    org.emu.control.resetCounters();

    const result = await client.upsertMany('Account', 'D365_Customer_Number__c', records);
    expect(result).toMatchObject({ mode: 'bulk', successCount: 9_997, failureCount: 3 });
    expect(result.results.map((r) => r.index)).toEqual(records.map((_, i) => i));
    for (const i of bad)
      expect(result.results[i]).toMatchObject({
        success: false,
        id: null,
        externalId: records[i]!.D365_Customer_Number__c,
      });
    expect(result.results[3]!.errors[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['Name'] });
    expect(result.results[4_999]!.errors[0]).toEqual({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Name]',
      fields: ['Name'],
    });
    expect(result.results[9_998]!.errors[0]!.errorCode).toBe('JSON_PARSER_ERROR');
    expect(result.results[100]).toMatchObject({ success: true, created: false });
    expect(result.results[0]).toMatchObject({
      success: true,
      created: true,
      id: expect.stringMatching(/^001/),
    });
    expect(org.emu.control.records('Account')).toHaveLength(9_997);
    expect(
      org.emu.control.records('Account').find((a) => a.D365_Customer_Number__c === 'C-00010'),
    ).toMatchObject({ Phone: '+1 555 0100' });

    const calls = org.emu.control.counters().byKind;
    expect(calls.collections).toBeUndefined();
    // create + upload + close + ≥1 poll + successfulResults + failedResults
    expect(calls.bulk).toBeGreaterThanOrEqual(6);
    expect(calls.bulk).toBeLessThanOrEqual(10);
  });

  it('stays on collections at or under the threshold, and bulk can be forced', async () => {
    expect((await client.upsertMany('Account', 'D365_Customer_Number__c', accounts(2000))).mode).toBe(
      'collections',
    );
    const forced = await client.upsertMany('Account', 'D365_Customer_Number__c', accounts(3), {
      mode: 'bulk',
    });
    expect(forced).toMatchObject({ mode: 'bulk', successCount: 3 });
    expect(forced.results.every((r) => r.created === false)).toBe(true);
  });

  it('fails the whole set with a typed error when the job fails (a column the org lacks)', async () => {
    const records = accounts(5).map((r) => ({ ...r, D365_Payment_Terms__c: 'Net30' }));
    await expect(
      client.upsertMany('Account', 'D365_Customer_Number__c', records, { mode: 'bulk' }),
    ).rejects.toMatchObject({
      name: 'SalesforceApiError',
      errorCode: 'BULK_JOB_FAILED',
      transient: false,
      message: expect.stringContaining('InvalidBatch : Field name not found : D365_Payment_Terms__c'),
    });
  });
});
