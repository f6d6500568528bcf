import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { fixturePackage, login, makeForceApp, restClient } from './test-helpers.js';

describe('Salesforce emulator: composite', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;
  const pkg = makeForceApp(fixturePackage());
  const v = () => `/services/data/v${emu.apiVersion}`;
  const upsert = (ref: string, numbers: string[]) => ({
    method: 'PATCH',
    url: `${v()}/composite/sobjects/Account/D365_Customer_Number__c`,
    referenceId: ref,
    body: {
      allOrNone: false,
      records: numbers.map((n) => ({ attributes: { type: 'Account' }, D365_Customer_Number__c: n, Name: n })),
    },
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

  it('runs each subrequest as the direct call would and counts the whole as one API call', async () => {
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
    expect((await sf('GET', `query?q=${encodeURIComponent('SELECT Id FROM Account')}`)).body.totalSize).toBe(
      0,
    );
  });
});
