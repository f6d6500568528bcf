import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SalesforceApiError,
  SalesforceLimitError,
  type SalesforceClient,
} from '../../src/salesforce/index.js';
import { accounts, startOrg } from './helpers.js';

describe('Salesforce client: single-record and collections writes', () => {
  let org: Awaited<ReturnType<typeof startOrg>>;
  let client: SalesforceClient;
  beforeAll(async () => {
    org = await startOrg();
    client = org.client();
  });
  beforeEach(() => {
    org.emu.control.reset();
    org.emu.control.clearFaults();
    org.emu.control.resetCounters();
  });
  afterAll(async () => org.close());

  it('creates, reads, updates, deletes and upserts single records', async () => {
    const { id } = await client.create('Account', { Name: 'Solo' });
    await client.update('Account', id, { Phone: '+1 555 0199' });
    expect(await client.get('Account', id, ['Name', 'Phone'])).toMatchObject({
      Name: 'Solo',
      Phone: '+1 555 0199',
    });
    await client.delete('Account', id);
    expect(await client.get('Account', id)).toBeUndefined();
    const first = await client.upsert('Account', 'D365_Customer_Number__c', 'C/1 ü', {
      D365_Customer_Number__c: 'ignored',
      Name: 'Encoded',
    });
    expect(first).toEqual({ id: expect.stringMatching(/^001/), created: true });
    expect(await client.upsert('Account', 'D365_Customer_Number__c', 'C/1 ü', { Name: 'Again' })).toEqual({
      id: first.id,
      created: false,
    });
    expect(org.emu.control.record('Account', first.id)).toMatchObject({
      D365_Customer_Number__c: 'C/1 ü',
      Name: 'Again',
    });
  });

  it('throws typed errors for single-record failures, with fields and no transient flag', async () => {
    const err = await client
      .create('Account', { Name: 'X', D365_Payment_Terms__c: 'Net30' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceApiError);
    expect(err).toMatchObject({
      status: 400,
      errorCode: 'INVALID_FIELD',
      transient: false,
      message: "INVALID_FIELD: No such column 'D365_Payment_Terms__c' on sobject of type Account",
    });
    org.emu.control.putRecords('Product2', [
      { Name: 'A', ExternalId: 'X' },
      { Name: 'B', ExternalId: 'X' },
    ]);
    await expect(client.upsert('Product2', 'ExternalId', 'X', { IsActive: true })).rejects.toMatchObject({
      status: 300,
      errorCode: 'MULTIPLE_CHOICES',
    });
    org.emu.control.injectFault({ type: 'status', status: 503 });
    await expect(client.create('Account', { Name: 'Busy' })).rejects.toMatchObject({
      errorCode: 'SERVER_UNAVAILABLE',
      transient: true,
    });
  });

  it('upserts 450 records in chunks of 200 (one composite call) and maps partial failures back by position', async () => {
    const records: Array<Record<string, unknown>> = accounts(450);
    records[7] = { ...records[7], Name: 'x'.repeat(300) };
    records[260] = { ...records[260], D365_Payment_Terms__c: 'Net30' }; // a field the package lacks
    records[449] = { ...records[449], Name: null };
    const result = await client.upsertMany('Account', 'D365_Customer_Number__c', records);
    expect(result).toMatchObject({ mode: 'collections', successCount: 447, failureCount: 3 });
    // Three chunks of 200 travel in one composite call: one call toward the daily API limit.
    expect(org.emu.control.counters()).toMatchObject({ apiUsed: 1, byKind: { composite: 1 } });
    expect(result.results.map((r) => r.index)).toEqual(records.map((_, i) => i));
    expect(result.results[0]).toEqual({
      index: 0,
      externalId: 'C-00000',
      id: expect.stringMatching(/^001/),
      success: true,
      created: true,
      errors: [],
    });
    expect(result.results[7]).toMatchObject({
      success: false,
      externalId: 'C-00007',
      transient: false,
      errors: [{ errorCode: 'STRING_TOO_LONG', fields: ['Name'] }],
    });
    expect(result.results[260]).toMatchObject({
      success: false,
      errors: [
        {
          errorCode: 'INVALID_FIELD',
          message: "No such column 'D365_Payment_Terms__c' on sobject of type Account",
        },
      ],
    });
    expect(result.results[449]).toMatchObject({
      success: false,
      errors: [{ errorCode: 'REQUIRED_FIELD_MISSING' }],
    });
    expect(org.emu.control.records('Account')).toHaveLength(447);

    const again = await client.upsertMany('Account', 'D365_Customer_Number__c', accounts(3));
    expect(again.results.map((r) => r.created)).toEqual([false, false, false]);
  });

  it('allOrNone marks rolled-back records as transient failures and writes nothing', async () => {
    const records: Array<Record<string, unknown>> = accounts(3);
    records[1] = { ...records[1], Name: null };
    const result = await client.upsertMany('Account', 'D365_Customer_Number__c', records, {
      allOrNone: true,
    });
    expect(result.successCount).toBe(0);
    expect(result.results[0]).toMatchObject({
      transient: true,
      errors: [{ errorCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(result.results[1]).toMatchObject({
      transient: false,
      errors: [{ errorCode: 'REQUIRED_FIELD_MISSING' }],
    });
    expect(org.emu.control.records('Account')).toHaveLength(0);
  });

  it('a chunk-level failure throws with the results of the chunks already written', async () => {
    org.emu.control.injectFault({ type: 'status', status: 500, path: '/composite/' });
    await expect(client.upsertMany('Account', 'D365_Customer_Number__c', accounts(10))).rejects.toMatchObject(
      { transient: true, partialResults: [] },
    );
    expect(org.emu.control.records('Account')).toHaveLength(0);
    // The second chunk (a subrequest of one composite call) fails: the first chunk's 200 results come with the error.
    org.emu.control.injectFault({ type: 'status', status: 503, path: '/composite/sobjects', after: 1 });
    const err = await client
      .upsertMany('Account', 'D365_Customer_Number__c', accounts(300))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceApiError);
    expect(err).toMatchObject({ errorCode: 'SERVER_UNAVAILABLE', transient: true });
    expect((err as SalesforceApiError).partialResults).toHaveLength(200);
    expect(org.emu.control.records('Account')).toHaveLength(200);
  });

  it('a chunk refused inside a composite call for the API limit backs off like a refused call', async () => {
    org.emu.control.injectFault({ type: 'requestLimit', path: '/composite/sobjects', after: 1 });
    const own = org.client(); // the back-off it starts would hold the shared client's later calls
    const err = await own
      .upsertMany('Account', 'D365_Customer_Number__c', accounts(300))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceLimitError);
    expect(err).toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED', transient: true, limit: 'daily' });
    expect((err as SalesforceApiError).partialResults).toHaveLength(200);
  });

  it('publishes platform events', async () => {
    const { id } = await client.publishEvent('D365_Sync_Request__e', { Record_Id__c: '001Dn0000000001AAA' });
    expect(id).toMatch(/^e00/);
    expect(org.emu.control.events()).toHaveLength(1);
  });
});
