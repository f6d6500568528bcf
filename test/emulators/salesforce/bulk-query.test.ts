import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { login, restClient } from './test-helpers.js';

describe('Salesforce emulator: Bulk API 2.0 query', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'demo', bulkQueueDelayMs: 20 });
    sf = restClient(emu, await login(emu));
  });
  afterAll(async () => {
    await emu.close();
  });

  async function complete(query: string, extra: Record<string, unknown> = {}) {
    const created = await sf('POST', 'jobs/query', { operation: 'query', query, ...extra });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ operation: 'query', object: 'Account', state: 'UploadComplete' });
    const seen: string[] = [created.body.state];
    for (let i = 0; i < 200; i++) {
      const info = await sf('GET', `jobs/query/${created.body.id}`);
      if (seen.at(-1) !== info.body.state) seen.push(info.body.state);
      if (info.body.state === 'JobComplete') return { id: created.body.id as string, info: info.body, seen };
      await sleep(5);
    }
    throw new Error('query job never completed');
  }

  it('runs UploadComplete → InProgress → JobComplete and returns every value quoted, parent paths flattened', async () => {
    const { id, info, seen } = await complete('SELECT Id, Name, Owner.Name FROM Account ORDER BY Name');
    expect(seen).toEqual(['UploadComplete', 'InProgress', 'JobComplete']);
    expect(info).toMatchObject({ jobType: 'V2Query', numberRecordsProcessed: 5 });
    const res = await sf('GET', `jobs/query/${id}/results`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('sforce-locator')).toBe('null');
    expect(res.headers.get('sforce-numberofrecords')).toBe('5');
    const lines = (res.body as string).trimEnd().split('\n');
    expect(lines[0]).toBe('"Id","Name","Owner.Name"');
    expect(lines[1]).toMatch(/^"001\w{15}","Adventure Works","Integration User"$/);
    expect(lines).toHaveLength(6);
  });

  it('pages with maxRecords and the Sforce-Locator header until it reads null', async () => {
    const { id } = await complete('SELECT Name FROM Account ORDER BY Name', {
      columnDelimiter: 'PIPE',
      lineEnding: 'CRLF',
    });
    const names: string[] = [];
    let locator: string | null = '';
    let pages = 0;
    while (locator !== 'null') {
      const res: { body: string; headers: Headers } = await sf(
        'GET',
        `jobs/query/${id}/results?maxRecords=2${locator ? `&locator=${locator}` : ''}`,
      );
      const rows = res.body.split('\r\n').filter(Boolean);
      expect(rows[0]).toBe('"Name"');
      names.push(...rows.slice(1).map((r) => r.replace(/"/g, '')));
      locator = res.headers.get('sforce-locator');
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toEqual([
      'Adventure Works',
      'Contoso Retail',
      'Fabrikam Manufacturing',
      'Northwind Traders',
      'Tailspin Toys',
    ]);
  });

  it('refuses subqueries and aggregates, bad SOQL, and results before completion', async () => {
    const sub = await sf('POST', 'jobs/query', {
      operation: 'query',
      query: 'SELECT Id, (SELECT LastName FROM Contacts) FROM Account',
    });
    expect(sub.status).toBe(400);
    expect(sub.body[0].message).toMatch(/FeatureNotEnabled/);
    const bad = await sf('POST', 'jobs/query', { operation: 'query', query: 'SELECT Nope FROM Account' });
    expect(bad.status).toBe(400);
    expect(bad.body[0].errorCode).toBe('INVALID_FIELD');
    const early = await sf('POST', 'jobs/query', { operation: 'query', query: 'SELECT Id FROM Account' });
    const results = await sf('GET', `jobs/query/${early.body.id}/results`);
    expect(results.status).toBe(409);
  });
});
