import { afterEach, describe, it, expect } from 'vitest';
import {
  D365AmbiguousWriteError,
  D365NotFound,
  D365Throttled,
  D365Unavailable,
  D365ValidationError,
  createOnce,
  eq,
} from '../../src/d365/index.js';
import { clientFor, json, startServer, type TestServer } from './helpers.js';

let servers: TestServer[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function server(handler: Parameters<typeof startServer>[0]) {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}
function client(url: string, o: Parameters<typeof clientFor>[1] = {}) {
  const c = clientFor(url, o);
  closers.push(() => c.close());
  return c;
}

describe('throttling on the wire', () => {
  it('honours Retry-After to the second: no request reaches F&O before the pause ends, in any lane', async () => {
    let throttledAt = 0;
    const fo = await server((req, res, n) => {
      if (n === 1) {
        throttledAt = Date.now();
        return json(
          res,
          429,
          { error: { code: '', message: 'high resource utilization' } },
          { 'Retry-After': '1' },
        );
      }
      json(res, 200, { value: [{ n }] });
    });
    const c = client(fo.url);
    const first = c.odata.query('CustomersV3', { lane: 'sync' }).all();
    // The other lanes start once the client has seen the 429 (a request sent before that cannot
    // know of the pause); polling instead of a fixed wait keeps this true on a loaded machine.
    while (c.governor.status().throttled < 1) await new Promise((r) => setTimeout(r, 5));
    const others = (['interactive', 'order', 'bulk'] as const).map((lane) =>
      c.odata.query('CustomersV3', { lane }).all(),
    );
    await Promise.all([first, ...others]);
    expect(fo.requests).toHaveLength(5);
    for (const r of fo.requests.slice(1)) expect(r.at).toBeGreaterThanOrEqual(throttledAt + 1000);
    expect(c.governor.status().throttled).toBe(1);
  });

  it('gives up with D365Throttled (retryAfterMs) when the pause outlasts the call deadline', async () => {
    const fo = await server((_req, res) => json(res, 429, {}, { 'Retry-After': '30' }));
    const c = client(fo.url);
    const err = await c.odata
      .query('CustomersV3', { deadline: Date.now() + 2000 })
      .all()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365Throttled);
    expect((err as D365Throttled).transient).toBe(true);
    expect((err as D365Throttled).retryAfterMs).toBeGreaterThan(25_000);
    expect(fo.requests).toHaveLength(1);
  });
});

describe('queries', () => {
  it('follows @odata.nextLink across many pages', async () => {
    const total = 2345;
    const fo = await server((req, res) => {
      const u = new URL(req.url, 'http://x');
      const skip = Number(u.searchParams.get('$skip') ?? 0);
      const value = Array.from({ length: Math.min(100, total - skip) }, (_, i) => ({
        CustomerAccount: `C${skip + i}`,
      }));
      const next =
        skip + 100 < total
          ? `${fo.url}/data/CustomersV3?cross-company=true&$skip=${skip + 100}&$top=100`
          : undefined;
      json(res, 200, {
        value,
        ...(next ? { '@odata.nextLink': next } : {}),
        ...(skip === 0 ? { '@odata.count': total } : {}),
      });
    });
    const c = client(fo.url);
    const rows = await c.odata
      .query<{ CustomerAccount: string }>('CustomersV3', { company: 'usmf', count: true })
      .all();
    expect(rows).toHaveLength(total);
    expect(rows[2344]!.CustomerAccount).toBe('C2344');
    expect(fo.requests).toHaveLength(24);
    expect(decodeURIComponent(fo.requests[0]!.url)).toBe(
      "/data/CustomersV3?cross-company=true&$filter=dataAreaId eq 'usmf'&$count=true",
    );
    let pages = 0;
    for await (const p of c.odata.query('CustomersV3', { top: 250 }).pages()) pages += p.rows.length;
    expect(pages).toBe(250);
  });

  it('refuses a nextLink to another host (the token never leaves the F&O origin)', async () => {
    const fo = await server((_req, res) =>
      json(res, 200, { value: [], '@odata.nextLink': 'https://evil.example/data/X' }),
    );
    const c = client(fo.url);
    await expect(c.odata.query('CustomersV3').all()).rejects.toThrow(/another host/);
    expect(fo.requests).toHaveLength(1);
  });

  it('sends apostrophes and non-ASCII escaped, and F&O decodes them back', async () => {
    const fo = await server((_req, res) => json(res, 200, { CustomerAccount: "O'Brien & Søn" }));
    const c = client(fo.url);
    await c.odata.getByKey(
      'CustomersV3',
      { dataAreaId: 'usmf', CustomerAccount: "O'Brien & Søn" },
      { select: ['CustomerAccount'] },
    );
    await c.odata
      .query('CustomersV3', { company: 'usmf', filter: eq('AddressCity', 'Zürich') })
      .all()
      .catch(() => undefined);
    const [byKey, byFilter] = fo.requests;
    expect(byKey!.url).toBe(
      "/data/CustomersV3(dataAreaId='usmf',CustomerAccount='O''Brien%20%26%20S%C3%B8n')?cross-company=true&$select=CustomerAccount",
    );
    expect(decodeURIComponent(byKey!.url)).toContain("CustomerAccount='O''Brien & Søn'");
    const filter = new URL(byFilter!.url, 'http://x').searchParams.get('$filter');
    expect(filter).toBe("(dataAreaId eq 'usmf') and (AddressCity eq 'Zürich')");
  });

  it('getByKey → D365NotFound; findByKey → undefined', async () => {
    const fo = await server((_req, res) =>
      json(res, 404, { error: { code: '', message: 'Resource not found for the segment.' } }),
    );
    const c = client(fo.url);
    await expect(
      c.odata.getByKey('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'X' }),
    ).rejects.toBeInstanceOf(D365NotFound);
    expect(
      await c.odata.findByKey('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'X' }),
    ).toBeUndefined();
  });
});

describe('errors and retries', () => {
  it('turns a 400 write failure into D365ValidationError with Infolog lines and the request id', async () => {
    const fo = await server((_req, res) =>
      json(
        res,
        400,
        {
          error: {
            code: '',
            message: 'An error has occurred.',
            innererror: {
              message:
                "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.; Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
              type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
            },
          },
        },
        { 'ms-dyn-aid': 'aid-123' },
      ),
    );
    const c = client(fo.url);
    const err = (await c.odata
      .create('CustomersV3', { CustomerGroupId: 'Local' }, { company: 'USMF' })
      .catch((e: unknown) => e)) as D365ValidationError;
    expect(err).toBeInstanceOf(D365ValidationError);
    expect(err.transient).toBe(false);
    expect(err.requestId).toBe('aid-123');
    expect(err.status).toBe(400);
    expect(err.method).toBe('POST');
    expect(err.entity).toBe('CustomersV3');
    expect(err.infolog).toHaveLength(2);
    expect(err.infolog[0]).toMatch(/^Warning: The value 'Local'/);
    expect(JSON.parse(fo.requests[0]!.body)).toEqual({ CustomerGroupId: 'Local', dataAreaId: 'usmf' });
    expect(fo.requests[0]!.url).toBe('/data/CustomersV3?cross-company=true');
    expect(fo.requests).toHaveLength(1);
  });

  it('retries an idempotent GET on 503 and on a dropped connection', async () => {
    const fo = await server((req, res, n) => {
      if (n === 1) return json(res, 503, {});
      if (n === 2) return void res.socket?.destroy();
      json(res, 200, { value: [{ ok: true }] });
    });
    const c = client(fo.url);
    expect(await c.odata.query('CustomersV3').all()).toEqual([{ ok: true }]);
    expect(fo.requests).toHaveLength(3);
  });

  it('gives up after maxAttempts with a transient D365Unavailable', async () => {
    const fo = await server((_req, res) => json(res, 502, {}));
    const c = client(fo.url, { maxAttempts: 3 });
    const err = await c.odata
      .query('CustomersV3')
      .all()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365Unavailable);
    expect((err as D365Unavailable).transient).toBe(true);
    expect(fo.requests).toHaveLength(3);
  });

  it('never repeats a POST that timed out: D365AmbiguousWriteError after exactly one request', async () => {
    const fo = await server(() => undefined /* never answers */);
    const c = client(fo.url, { timeoutMs: 300 });
    const err = await c.odata
      .create('CustomersV3', { OrganizationName: 'x' }, { company: 'usmf' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365AmbiguousWriteError);
    expect((err as D365AmbiguousWriteError).transient).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(fo.requests).toHaveLength(1);
  });

  it('retries a PATCH after a reset (idempotent by design)', async () => {
    const fo = await server((_req, res, n) => {
      if (n === 1) return void res.socket?.destroy();
      res.writeHead(204).end();
    });
    const c = client(fo.url);
    await c.odata.update(
      'CustomersV3',
      { dataAreaId: 'usmf', CustomerAccount: 'US-001' },
      { CreditLimit: 5000 },
    );
    expect(fo.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
  });

  it('treats 404 on a retried DELETE as done', async () => {
    const fo = await server((_req, res, n) => {
      if (n === 1) return void res.socket?.destroy(); // deleted, answer lost
      json(res, 404, { error: { code: '', message: 'not found' } });
    });
    const c = client(fo.url);
    await c.odata.delete('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'US-001' });
    expect(fo.requests).toHaveLength(2);
  });
});

describe('createOnce', () => {
  it('produces one record when F&O committed but never answered', async () => {
    const store: Array<Record<string, unknown>> = [];
    const fo = await server((req, res) => {
      if (req.method === 'POST') {
        store.push(JSON.parse(req.body));
        return void res.socket?.destroy(); // committed, answer lost
      }
      const f = new URL(req.url, 'http://x').searchParams.get('$filter') ?? '';
      const ref = /CustomersOrderReference eq '([^']*)'/.exec(f)?.[1];
      json(res, 200, { value: store.filter((r) => r.CustomersOrderReference === ref) });
    });
    const c = client(fo.url);
    const find = async () =>
      (
        await c.odata
          .query('SalesOrderHeadersV2', {
            company: 'usmf',
            filter: eq('CustomersOrderReference', '006xx0001'),
            top: 1,
          })
          .all()
      )[0];
    const result = await createOnce({
      find,
      create: () =>
        c.odata.create('SalesOrderHeadersV2', { CustomersOrderReference: '006xx0001' }, { company: 'usmf' }),
      lookupDelaysMs: [10, 50],
    });
    expect(result.outcome).toBe('recovered');
    expect(store).toHaveLength(1);
    // A job retry (mayExist) finds it and does not POST again.
    const again = await createOnce({
      find,
      create: () =>
        c.odata.create('SalesOrderHeadersV2', { CustomersOrderReference: '006xx0001' }, { company: 'usmf' }),
      mayExist: true,
    });
    expect(again.outcome).toBe('found');
    expect(store).toHaveLength(1);
    expect(fo.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('gives up with a transient ambiguous error when the record does not show up', async () => {
    const fo = await server((req, res) => {
      if (req.method === 'POST') return void res.socket?.destroy();
      json(res, 200, { value: [] });
    });
    const c = client(fo.url);
    const err = await createOnce({
      find: async () => (await c.odata.query('CustomersV3', { top: 1 }).all())[0],
      create: () => c.odata.create('CustomersV3', {}, { company: 'usmf' }),
      lookupDelaysMs: [5, 5],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365AmbiguousWriteError);
    expect(fo.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});
