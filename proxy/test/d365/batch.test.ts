import { afterEach, describe, it, expect } from 'vitest';
import { buildBatch } from '../../src/d365/batch/build.js';
import { parseBatchResponse } from '../../src/d365/batch/parse.js';
import { D365Throttled, D365ValidationError } from '../../src/d365/index.js';
import { clientFor, errorOf, startServer, type TestServer } from './helpers.js';

const CRLF = '\r\n';
const ERROR_JSON = `{
  "error":{
    "code":"","message":"An error has occurred.","innererror":{
      "message":"Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). Customer group: Batch2, Batch 2 Test group T1.\\nThe record already exists..","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":"   at Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataBatchHandler\\r\\n"
    }
  }
}`;

/** Shaped like the recorded F&O answer (d365.md §3.1): server boundaries, a failed changeset as ONE part with Content-ID 1. */
function failedChangesetResponse(): { contentType: string; body: string } {
  const b = 'batchresponse_6a2f1e0c-0000-4b3b-9a52-111111111111';
  const c = 'changesetresponse_2c4d-0000-4e7e-8a3a-222222222222';
  const body = [
    `--${b}`,
    `Content-Type: multipart/mixed; boundary=${c}`,
    '',
    `--${c}`,
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    'Content-ID: 1',
    '',
    'HTTP/1.1 201 Created',
    'Content-Type: application/json; odata.metadata=minimal; charset=utf-8',
    'OData-Version: 4.0',
    '',
    '{"CustomerGroupId":"Batch1","dataAreaId":"usmf"}',
    `--${c}--`,
    `--${b}`,
    `Content-Type: multipart/mixed; boundary=${c}x`,
    '',
    `--${c}x`,
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    'Content-ID: 2',
    '',
    'HTTP/1.1 500 Internal Server Error',
    'Content-Type: application/json; odata.metadata=minimal; charset=utf-8',
    'OData-Version: 4.0',
    '',
    ERROR_JSON,
    `--${c}x--`,
    `--${b}`,
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    'HTTP/1.1 200 OK',
    'Content-Type: application/json; odata.metadata=minimal',
    '',
    '{"value":[{"CustomerGroupId":"10"}]}',
    `--${b}--`,
    '',
  ].join(CRLF);
  return { contentType: `multipart/mixed; boundary=${b}`, body };
}

describe('building a $batch', () => {
  it('writes changesets with absolute URLs, Content-IDs and $n references', () => {
    let n = 0;
    const built = buildBatch(
      'https://fo.test/data',
      [
        {
          changeset: [
            {
              method: 'POST',
              entity: 'SalesOrderHeadersV2',
              query: 'cross-company=true',
              body: { dataAreaId: 'usmf', CustomersOrderReference: "O'Brien" },
            },
            {
              method: 'POST',
              entity: 'SalesOrderLines',
              reference: '$1/SalesOrderLines',
              body: { ItemNumber: 'D0001' },
            },
          ],
        },
        { method: 'GET', entity: 'CustomerGroups', key: { dataAreaId: 'usmf', CustomerGroupId: 'Zürich' } },
      ],
      () => `id${++n}`,
    );
    expect(built.contentType).toBe('multipart/mixed; boundary=batch_id1');
    expect(built.operations).toBe(3);
    const lines = built.body.split(CRLF);
    expect(lines).toContain('Content-Type: multipart/mixed; boundary=changeset_id2');
    expect(lines).toContain('POST https://fo.test/data/SalesOrderHeadersV2?cross-company=true HTTP/1.1');
    expect(lines).toContain('POST $1/SalesOrderLines HTTP/1.1');
    expect(lines).toContain(
      "GET https://fo.test/data/CustomerGroups(dataAreaId='usmf',CustomerGroupId='Z%C3%BCrich') HTTP/1.1",
    );
    expect(lines.filter((l) => l.startsWith('Content-ID:'))).toEqual([
      'Content-ID: 1',
      'Content-ID: 2',
      'Content-ID: 3',
    ]);
    expect(lines.at(-2)).toBe('--batch_id1--');
  });

  it('refuses writes outside changesets and references to other changesets', () => {
    expect(() => buildBatch('https://fo.test/data', [{ method: 'POST', entity: 'X', body: {} }])).toThrow(
      /changeset/,
    );
    expect(() =>
      buildBatch('https://fo.test/data', [
        { changeset: [{ method: 'POST', entity: 'A', body: {} }] },
        { changeset: [{ method: 'POST', entity: 'B', reference: '$1/Lines', body: {} }] },
      ]),
    ).toThrow(/same changeset/);
  });
});

describe('parsing a $batch answer', () => {
  it('reads server boundaries, nested changesets and a failed changeset as one part', () => {
    const { contentType, body } = failedChangesetResponse();
    const parts = parseBatchResponse(contentType, body);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatchObject({ kind: 'changeset', responses: [{ status: 201, contentId: '1' }] });
    expect(parts[1]).toMatchObject({ kind: 'changeset', responses: [{ status: 500, contentId: '2' }] });
    expect(parts[2]).toMatchObject({ kind: 'response', response: { status: 200 } });
  });
});

describe('BatchClient over HTTP', () => {
  let fo: TestServer | undefined;
  afterEach(async () => fo?.close());

  it('maps each part back; a failed changeset is a typed D365ValidationError though the outer status is 200', async () => {
    const canned = failedChangesetResponse();
    fo = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': canned.contentType });
      res.end(canned.body);
    });
    const c = clientFor(fo.url);
    const results = await c.batch.execute([
      { changeset: [{ method: 'POST', entity: 'CustomerGroups', body: { CustomerGroupId: 'Batch1' } }] },
      {
        changeset: [
          { method: 'POST', entity: 'CustomerGroups', body: { CustomerGroupId: 'Batch1b' } },
          { method: 'POST', entity: 'CustomerGroups', body: { CustomerGroupId: 'Batch2' } },
        ],
      },
      { method: 'GET', entity: 'CustomerGroups' },
    ]);
    expect(results[0]).toMatchObject({
      ok: true,
      responses: [{ status: 201, body: { CustomerGroupId: 'Batch1' } }],
    });
    expect(results[1]!.ok).toBe(false);
    const err = errorOf(results[1]) as D365ValidationError;
    expect(err).toBeInstanceOf(D365ValidationError);
    expect(err.changeset).toBe(1);
    expect(err.transient).toBe(false);
    expect(err.infolog[0]).toMatch(/The record already exists\.$/);
    expect(results[2]).toMatchObject({
      ok: true,
      responses: [{ status: 200, body: { value: [{ CustomerGroupId: '10' }] } }],
    });
    expect(fo.requests).toHaveLength(1);
    expect(fo.requests[0]!.url).toBe('/data/$batch');
    expect(String(fo.requests[0]!.headers['content-type'])).toMatch(/^multipart\/mixed; boundary=batch_/);
    await c.close();
  });

  it('an inner 429 fails that changeset as D365Throttled and pauses the governor', async () => {
    fo = await startServer((_req, res) => {
      const b = 'batchresponse_1';
      res.writeHead(200, { 'Content-Type': `multipart/mixed; boundary=${b}` });
      res.end(
        [
          `--${b}`,
          'Content-Type: application/http',
          '',
          'HTTP/1.1 429 Too Many Requests',
          'Retry-After: 5',
          '',
          '{}',
          `--${b}--`,
          '',
        ].join(CRLF),
      );
    });
    const c = clientFor(fo.url);
    const [r] = await c.batch.execute([
      {
        changeset: [
          {
            method: 'PATCH',
            entity: 'CustomersV3',
            key: { dataAreaId: 'usmf', CustomerAccount: 'US-001' },
            body: { CreditLimit: 1 },
          },
        ],
      },
    ]);
    expect(r!.ok).toBe(false);
    expect(errorOf(r) as D365Throttled).toBeInstanceOf(D365Throttled);
    expect((errorOf(r) as D365Throttled).retryAfterMs).toBe(5000);
    expect(c.governor.status().paused).toBe(true);
    await c.close();
  });

  it('splits executeAll into batches of at most batchMaxOps operations', async () => {
    fo = await startServer((req, res) => {
      const b = 'batchresponse_x';
      const ids = [...req.body.matchAll(/Content-ID: (\d+)/g)].map((m) => m[1]);
      const parts = ids.flatMap((id, i) => [
        `--${b}`,
        `Content-Type: multipart/mixed; boundary=cs${i}`,
        '',
        `--cs${i}`,
        'Content-Type: application/http',
        `Content-ID: ${id}`,
        '',
        'HTTP/1.1 204 No Content',
        '',
        '',
        `--cs${i}--`,
      ]);
      res.writeHead(200, { 'Content-Type': `multipart/mixed; boundary=${b}` });
      res.end([...parts, `--${b}--`, ''].join(CRLF));
    });
    const c = clientFor(fo.url, { batchMaxOps: 10 });
    const items = Array.from({ length: 35 }, (_, i) => ({
      changeset: [
        {
          method: 'PATCH' as const,
          entity: 'CustomersV3',
          key: { dataAreaId: 'usmf', CustomerAccount: `C${i}` },
          body: { CreditLimit: i },
        },
      ],
    }));
    const results = await c.batch.executeAll(items, { concurrency: 2 });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fo.requests).toHaveLength(4);
    await c.close();
  });
});
