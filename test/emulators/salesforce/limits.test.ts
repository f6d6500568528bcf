import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { login, restClient } from './test-helpers.js';

describe('Salesforce emulator: API limits, faults and the control API over HTTP', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'demo', dailyApiLimit: 50 });
    sf = restClient(emu, await login(emu));
  });
  beforeEach(() => {
    emu.control.clearFaults();
    emu.control.resetCounters();
    emu.control.setLimits({ dailyApiLimit: 50, maxConcurrentLongRunning: 25, longRunningMs: 20_000 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('reports DailyApiRequests in /limits and Sforce-Limit-Info on every response', async () => {
    const a = await sf('GET', 'limits');
    expect(a.body.DailyApiRequests).toEqual({ Max: 50, Remaining: 49 });
    expect(a.headers.get('sforce-limit-info')).toBe('api-usage=1/50');
    const err = await sf('GET', 'sobjects/Account/001Dn0000000zzzAAA');
    expect(err.status).toBe(404);
    expect(err.headers.get('sforce-limit-info')).toBe('api-usage=2/50');
    const versions = await fetch(`${emu.url}/services/data`);
    expect(versions.headers.get('sforce-limit-info')).toBeNull();
    expect(emu.control.counters()).toMatchObject({ apiUsed: 2, byKind: { limits: 1, sobject: 1 } });
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED past the daily limit', async () => {
    emu.control.setLimits({ apiUsed: 50 });
    const res = await sf('GET', 'limits');
    expect(res.status).toBe(403);
    expect(res.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED', fields: [] },
    ]);
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=50/50');
  });

  it('caps concurrent long-running requests', async () => {
    emu.control.setLimits({ maxConcurrentLongRunning: 1, longRunningMs: 30 });
    emu.control.injectFault({ type: 'latency', ms: 300, path: '/limits' });
    const slow = sf('GET', 'limits');
    await new Promise((r) => setTimeout(r, 100));
    const refused = await sf('GET', 'sobjects');
    expect(refused.status).toBe(403);
    expect(refused.body[0]).toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
    });
    expect((await slow).status).toBe(200);
    expect((await sf('GET', 'sobjects')).status).toBe(200);
  });

  it('injects 5xx and REQUEST_LIMIT_EXCEEDED faults for a number of calls', async () => {
    emu.control.injectFault({ type: 'status', status: 503, count: 2, path: '/query' });
    emu.control.injectFault({ type: 'requestLimit', path: '/sobjects/Account' });
    const q = `query?q=${encodeURIComponent('SELECT Id FROM Account')}`;
    expect((await sf('GET', q)).body).toEqual([
      { message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE', fields: [] },
    ]);
    expect((await sf('GET', q)).status).toBe(503);
    expect((await sf('GET', q)).status).toBe(200);
    expect((await sf('GET', 'sobjects/Account/describe')).status).toBe(403);
    expect((await sf('GET', 'sobjects/Account/describe')).status).toBe(200);
  });

  it('exposes the control API over HTTP', async () => {
    const http = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${emu.url}/_emulator${path}`, {
        method,
        ...(body !== undefined
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
          : {}),
      });
      return { status: res.status, body: await res.json() };
    };
    const put = await http('PUT', '/records/Account', [{ Name: 'Via HTTP' }]);
    expect(put.body[0].Id).toMatch(/^001/);
    expect((await http('GET', `/records/Account/${put.body[0].Id}`)).body).toMatchObject({
      Name: 'Via HTTP',
    });
    expect((await http('PUT', '/fls', { object: 'Account', field: 'Phone', access: 'none' })).status).toBe(
      200,
    );
    const describe = await sf('GET', 'sobjects/Account/describe');
    expect(describe.body.fields.map((f: { name: string }) => f.name)).not.toContain('Phone');
    await http('DELETE', '/fls');
    await http('PUT', '/limits', { apiUsed: 49 });
    expect((await sf('GET', 'limits')).body.DailyApiRequests.Remaining).toBe(0);
    expect((await http('GET', '/counters')).body).toMatchObject({ apiUsed: 50 });
    await http('POST', '/faults', { type: 'status', status: 500 });
    await http('DELETE', '/faults');
    await http('PUT', '/limits', { apiUsed: 0 });
    expect((await http('POST', '/sessions/expire')).body.expired).toBeGreaterThan(0);
    expect((await sf('GET', 'limits')).status).toBe(401);
    sf = restClient(emu, await login(emu));
    expect((await http('POST', '/reset', { seed: 'empty' })).status).toBe(200);
    expect((await http('GET', '/records/Account')).body).toEqual([]);
    expect((await http('GET', '/records/Nope')).status).toBe(400);
  });
});
