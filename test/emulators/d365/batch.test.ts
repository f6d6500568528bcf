import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { D365Emulator } from './index.js';
import { getToken, startTestEmulator } from './test-helpers.js';

let emu: D365Emulator;
let token: string;
beforeAll(async () => {
  emu = await startTestEmulator();
  token = await getToken(emu);
});
afterAll(async () => emu.close());

function part(method: string, url: string, contentId: number | undefined, body?: unknown): string {
  return [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    '',
    `${method} ${url} HTTP/1.1`,
    'OData-Version: 4.0',
    'OData-MaxVersion: 4.0',
    ...(body ? ['Content-Type: application/json;odata.metadata=minimal'] : ['Accept: application/json']),
    '',
    body ? JSON.stringify(body) : '',
  ].join('\r\n');
}

function changeset(boundary: string, parts: string[]): string {
  return [
    `Content-Type: multipart/mixed; boundary=${boundary}`,
    '',
    ...parts.map((p) => `--${boundary}\r\n${p}`),
    `--${boundary}--`,
  ].join('\r\n');
}

async function batch(chunks: string[]) {
  const boundary = 'batch_3f1c2a';
  const body = `${chunks.map((c) => `--${boundary}\r\n${c}`).join('\r\n')}\r\n--${boundary}--\r\n`;
  const res = await fetch(`${emu.url}/data/$batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/mixed; boundary=${boundary}` },
    body,
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('$batch', () => {
  it('commits a changeset (header + lines via $1 reference) and answers one part per operation', async () => {
    const cs = changeset('changeset_a1', [
      part('POST', `${emu.url}/data/SalesOrderHeadersV2`, 1, {
        OrderingCustomerAccountNumber: 'US-004',
        CustomersOrderReference: 'OPP-1',
      }),
      part('POST', '$1/SalesOrderLines', 2, { ItemNumber: 'D0001', OrderedSalesQuantity: 2 }),
      part('POST', `${emu.url}/data/SalesOrderLines`, 3, {
        SalesOrderNumber: '000001',
        ItemNumber: 'D0006',
        OrderedSalesQuantity: 1,
      }),
    ]);
    const res = await batch([
      cs,
      part('GET', `${emu.url}/data/CustomerGroups?$select=CustomerGroupId`, undefined),
    ]);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(res.text).toMatch(/Content-Type: multipart\/mixed; boundary=changesetresponse_/);
    expect(res.text.match(/HTTP\/1\.1 201 Created/g)).toHaveLength(3);
    expect(res.text).toContain('Content-ID: 2');
    expect(res.text).toContain('HTTP/1.1 200 OK');
    const orders = emu.control
      .rows('SalesOrderHeadersV2', { company: 'usmf' })
      .filter((o) => o.CustomersOrderReference === 'OPP-1');
    expect(orders).toHaveLength(1);
    const lines = emu.control
      .rows('SalesOrderLines', { company: 'usmf' })
      .filter((l) => l.SalesOrderNumber === orders[0]!.SalesOrderNumber);
    expect(lines.map((l) => l.ItemNumber)).toEqual(['D0001']);
    const counters = emu.control.counters();
    expect(counters.batchRequests).toBe(1);
    expect(counters.batchOperations).toBe(4);
  });

  it('rolls back a failed changeset and answers it with one 500 part carrying the first Content-ID (reference §3.1)', async () => {
    const before = emu.control.rows('CustomerGroups', { company: 'usmf' }).length;
    emu.control.putRows('CustomerGroups', [
      { CustomerGroupId: 'Batch2', Description: 'Batch 2 Test group T1' },
    ]);
    const cs = changeset('changeset_b2', [
      part('POST', `${emu.url}/data/CustomerGroups`, 1, {
        '@odata.type': '#Microsoft.Dynamics.DataEntities.CustomerGroup',
        CustomerGroupId: 'Batch1',
        Description: 'Batch 1 Test group T1',
      }),
      part('POST', `${emu.url}/data/CustomerGroups`, 2, {
        CustomerGroupId: 'Batch2',
        Description: 'Batch 2 Test group T1',
      }),
    ]);
    const res = await batch([cs]);
    expect(res.status).toBe(200);
    expect(res.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(res.text).toContain('HTTP/1.1 500 Internal Server Error');
    expect(res.text).toContain('Content-ID: 1');
    expect(res.text).toContain('Content-Type: application/json; odata.metadata=minimal; charset=utf-8');
    const json = JSON.parse(res.text.slice(res.text.indexOf('{'), res.text.lastIndexOf('}') + 1));
    expect(json.error.innererror.message).toBe(
      "Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). Customer group: Batch2, Batch 2 Test group T1.\nThe record already exists..",
    );
    const groups = emu.control.rows('CustomerGroups', { company: 'usmf' }).map((g) => g.CustomerGroupId);
    expect(groups).not.toContain('Batch1');
    expect(groups).toHaveLength(before + 1);
  });

  it('keeps other changesets of the same batch and rejects a malformed batch', async () => {
    const ok = changeset('cs_ok', [
      part('POST', `${emu.url}/data/CustomerGroups`, 1, { CustomerGroupId: 'OK1', Description: 'kept' }),
    ]);
    const bad = changeset('cs_bad', [
      part('POST', `${emu.url}/data/CustomerGroups`, 1, { CustomerGroupId: 'BAD1', Nope: 1 }),
    ]);
    const res = await batch([ok, bad]);
    expect(res.text).toContain('HTTP/1.1 201 Created');
    expect(res.text).toContain('HTTP/1.1 400 Bad Request');
    const ids = emu.control.rows('CustomerGroups', { company: 'usmf' }).map((g) => g.CustomerGroupId);
    expect(ids).toContain('OK1');
    expect(ids).not.toContain('BAD1');
    const malformed = await fetch(`${emu.url}/data/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(malformed.status).toBe(400);
  });
});
