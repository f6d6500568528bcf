import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { fixturePackage, login, makeForceApp, restClient } from './test-helpers.js';

describe('Salesforce emulator: sObject Collections', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;
  const pkg = makeForceApp(fixturePackage());
  const acct = (n: string, extra: Record<string, unknown> = {}) => ({
    attributes: { type: 'Account' },
    D365_Customer_Number__c: n,
    Name: `Customer ${n}`,
    ...extra,
  });

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir });
    sf = restClient(emu, await login(emu));
  });
  beforeEach(() => emu.control.reset());
  afterAll(async () => {
    await emu.close();
    pkg.cleanup();
  });

  it('upserts by External ID with per-record results in order, partial failures included', async () => {
    await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/C-2', { Name: 'Existing' });
    const res = await sf('PATCH', 'composite/sobjects/Account/D365_Customer_Number__c', {
      allOrNone: false,
      records: [
        acct('C-1'),
        acct('C-2'),
        acct('C-3', { Name: 'x'.repeat(256) }),
        acct('C-4', { Bogus__c: 1 }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(4);
    expect(res.body[0]).toEqual({
      id: expect.stringMatching(/^001/),
      success: true,
      errors: [],
      created: true,
    });
    expect(res.body[1]).toEqual({
      id: expect.stringMatching(/^001/),
      success: true,
      errors: [],
      created: false,
    });
    expect(res.body[2]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'STRING_TOO_LONG', fields: ['Name'] }],
    });
    expect(res.body[3]).toMatchObject({
      success: false,
      errors: [
        { statusCode: 'INVALID_FIELD', message: "No such column 'Bogus__c' on sobject of type Account" },
      ],
    });
    expect(
      emu.control
        .records('Account')
        .map((a) => a.D365_Customer_Number__c)
        .sort(),
    ).toEqual(['C-1', 'C-2']);
  });

  it('allOrNone rolls every record back when one fails', async () => {
    const res = await sf('PATCH', 'composite/sobjects/Account/D365_Customer_Number__c', {
      allOrNone: true,
      records: [acct('A-1'), acct('A-2', { Name: null })],
    });
    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
    });
    expect(res.body[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }],
    });
    expect(emu.control.records('Account')).toHaveLength(0);
  });

  it('refuses more than 200 records and flags a duplicate External ID inside one request', async () => {
    const big = await sf('PATCH', 'composite/sobjects/Account/D365_Customer_Number__c', {
      records: Array.from({ length: 201 }, (_, i) => acct(`B-${i}`)),
    });
    expect(big.status).toBe(400);
    expect(big.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
    const dup = await sf('PATCH', 'composite/sobjects/Account/D365_Customer_Number__c', {
      records: [acct('D-1'), acct('d-1')],
    });
    expect(dup.body.map((r: { errors: Array<{ statusCode: string }> }) => r.errors[0]?.statusCode)).toEqual([
      'DUPLICATE_EXTERNAL_ID',
      'DUPLICATE_EXTERNAL_ID',
    ]);
  });

  it('creates, updates, retrieves and deletes collections', async () => {
    const created = await sf('POST', 'composite/sobjects', {
      records: [
        { attributes: { type: 'Account' }, Name: 'One' },
        { attributes: { type: 'Contact' }, LastName: 'Two' },
        { Name: 'no type' },
      ],
    });
    expect(created.body[0]).toMatchObject({ success: true, id: expect.stringMatching(/^001/) });
    expect(created.body[1]).toMatchObject({ success: true, id: expect.stringMatching(/^003/) });
    expect(created.body[2]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_TYPE' }] });
    const [a, c] = [created.body[0].id, created.body[1].id];
    const updated = await sf('PATCH', 'composite/sobjects', {
      records: [
        { attributes: { type: 'Account' }, id: a, Phone: '1' },
        { attributes: { type: 'Contact' }, id: c, Email: 'not-json-typed@example.com' },
      ],
    });
    expect(updated.body.every((r: { success: boolean }) => r.success)).toBe(true);
    const read = await sf('GET', `composite/sobjects/Account?ids=${a},001Dn0000000zzzAAA&fields=Id,Phone`);
    expect(read.body).toEqual([{ attributes: expect.any(Object), Id: a, Phone: '1' }, null]);
    const deleted = await sf('DELETE', `composite/sobjects?ids=${a},${c}`);
    expect(deleted.body).toEqual([
      { id: a, success: true, errors: [] },
      { id: c, success: true, errors: [] },
    ]);
  });

  describe('composite: several calls in one, counted once', () => {
    const v = () => `/services/data/v${emu.apiVersion}`;
    const upsert = (ref: string, numbers: string[]) => ({
      method: 'PATCH',
      url: `${v()}/composite/sobjects/Account/D365_Customer_Number__c`,
      referenceId: ref,
      body: { allOrNone: false, records: numbers.map((n) => acct(n)) },
    });

    it('runs each subrequest as the direct call would and counts the whole as one API call', async () => {
      emu.control.resetCounters(); // the tests above made calls too
      const res = await sf('POST', 'composite', {
        allOrNone: false,
        compositeRequest: [
          upsert('first', ['C-1', 'C-2']),
          upsert('second', ['C-2', 'C-3']),
          {
            method: 'PATCH',
            url: `${v()}/composite/sobjects/Nope__c/Ext__c`,
            referenceId: 'bad',
            body: { records: [] },
          },
          {
            method: 'GET',
            url: `${v()}/query?q=${encodeURIComponent('SELECT Name FROM Account')}`,
            referenceId: 'q',
          },
        ],
      });
      expect(res.status).toBe(200);
      const [first, second, bad, q] = res.body.compositeResponse;
      expect(first).toMatchObject({ referenceId: 'first', httpStatusCode: 200 });
      expect(first.body.map((r: any) => r.created)).toEqual([true, true]);
      expect(second.body.map((r: any) => r.created)).toEqual([false, true]);
      // One failing subrequest answers with its own status and error body; the others still ran.
      expect(bad).toMatchObject({ referenceId: 'bad', httpStatusCode: 404 });
      expect(bad.body[0].errorCode).toBe('NOT_FOUND');
      expect(q).toMatchObject({ httpStatusCode: 200, body: { totalSize: 3 } });
      expect(emu.control.counters()).toMatchObject({ apiUsed: 1, byKind: { composite: 1 } });
    });

    it('refuses more than 5 collections or query subrequests, and a call without a session', async () => {
      const six = Array.from({ length: 6 }, (_, i) => upsert(`r${i}`, [`C-${i}`]));
      const tooMany = await sf('POST', 'composite', { compositeRequest: six });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body[0].message).toMatch(/at most 5/);
      const anonymous = await fetch(`${emu.url}${v()}/composite`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ compositeRequest: [upsert('a', ['C-9'])] }),
      });
      expect(anonymous.status).toBe(401);
      expect(
        (await sf('GET', `query?q=${encodeURIComponent('SELECT Id FROM Account')}`)).body.totalSize,
      ).toBe(0);
    });
  });
});
