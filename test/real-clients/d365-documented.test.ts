import { ConfidentialClientApplication } from '@azure/msal-node';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startD365Emulator, type D365Emulator } from '../emulators/d365/index.js';

/**
 * The F&O emulator driven by clients and requests nobody here wrote: Microsoft's own
 * `@azure/msal-node` for the token, and raw OData requests written as the documentation shows
 * them, sent with plain `fetch`:
 *
 * - F&O "Open Data Protocol (OData)" (learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/
 *   data-entities/odata): the service root `[organization root URL]/data`, `$metadata`, the query
 *   options `$filter $count $skip $orderby $top $expand $select`, `cross-company=true`, and
 *   server-driven paging (page size at most 10,000, continued by `@odata.nextLink`);
 * - OData Version 4.0 Part 1: Protocol (docs.oasis-open.org/odata/odata/v4.0), §11.2.5 system
 *   query options and §11.7 batch requests, and Microsoft's [MS-ODATA] Open Specification
 *   §2.2.7.6.5 "Example Batch Request", whose framing the `$batch` test reproduces.
 *
 * No OData client library runs here: the ones for Node (e.g. `odata-v4` clients, SAP Cloud SDK)
 * would each be a new dependency, and what they send is this same documented wire format.
 */

describe('F&O emulator with Microsoft’s client and documented requests', () => {
  let emu: D365Emulator;
  let token: string;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(path.startsWith('http') ? path : `${emu.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });

  beforeAll(async () => {
    emu = await startD365Emulator({ timeScale: 0.01, httpsPort: false, pageSize: 3 });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('@azure/msal-node acquires a client-credentials token for the environment', async () => {
    // Production authority; the metadata points its token endpoint at the emulator, so MSAL makes
    // exactly the one POST it makes in production (no discovery call).
    const base = `${emu.url}/${emu.tenantId}`;
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        authority: `https://login.microsoftonline.com/${emu.tenantId}`,
        authorityMetadata: JSON.stringify({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `https://login.microsoftonline.com/${emu.tenantId}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
        }),
      },
    });
    const before = emu.control.counters().tokensIssued;
    const result = await cca.acquireTokenByClientCredential({ scopes: [`${emu.url}/.default`] });
    expect(result?.tokenType).toBe('Bearer');
    expect(result!.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    // A second call is served from MSAL's cache.
    await cca.acquireTokenByClientCredential({ scopes: [`${emu.url}/.default`] });
    expect(emu.control.counters().tokensIssued).toBe(before + 1);
    token = result!.accessToken;
  });

  it('GET [root]/data/$metadata is a CSDL document a generic XML parser reads: every entity set has a typed, keyed entity', async () => {
    const res = await get('/data/$metadata');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as any;
    const edmx = doc['edmx:Edmx'];
    expect(edmx.Version).toBe('4.0');
    const schema = edmx['edmx:DataServices'].Schema;
    expect(schema.Namespace).toBe('Microsoft.Dynamics.DataEntities');
    const types = new Map<string, any>(
      [schema.EntityType].flat().map((t: { Name: string }) => [`${schema.Namespace}.${t.Name}`, t]),
    );
    const sets = [schema.EntityContainer.EntitySet].flat() as Array<{ Name: string; EntityType: string }>;
    expect(sets.map((s) => s.Name)).toEqual(expect.arrayContaining(['CustomersV3', 'SalesOrderHeadersV2']));
    for (const set of sets) {
      const type = types.get(set.EntityType);
      expect(type, set.Name).toBeDefined();
      expect([type.Key.PropertyRef].flat().length, set.Name).toBeGreaterThan(0);
    }
  });

  it('GET [root]/data lists the entity sets (the service document)', async () => {
    const res = await get('/data');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      '@odata.context': string;
      value: Array<{ name: string; url: string }>;
    };
    expect(body['@odata.context']).toBe(`${emu.url}/data/$metadata`);
    expect(body.value.map((e) => e.name)).toContain('CustomersV3');
  });

  it('server-driven paging: following @odata.nextLink as given reads every row once; $count and /$count agree', async () => {
    const count = Number(await (await get('/data/CustomersV3/$count')).text());
    expect(count).toBeGreaterThan(6);
    const seen: string[] = [];
    let next: string | undefined = `${emu.url}/data/CustomersV3?$select=CustomerAccount&$count=true`;
    let pages = 0;
    while (next) {
      const page = (await (await get(next)).json()) as {
        '@odata.count'?: number;
        '@odata.nextLink'?: string;
        value: Array<{ CustomerAccount: string }>;
      };
      if (pages === 0) expect(page['@odata.count']).toBe(count);
      expect(page.value.length).toBeLessThanOrEqual(3);
      seen.push(...page.value.map((c) => c.CustomerAccount));
      next = page['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(Math.ceil(count / 3));
    expect(new Set(seen).size).toBe(count);
  });

  it('$top, $skip, $orderby and $count=true as the query options are documented', async () => {
    const accounts = emu.control
      .rows('CustomersV3', { company: 'usmf' })
      .map((c) => String(c.CustomerAccount))
      .sort();
    const res = await get(
      '/data/CustomersV3?$select=CustomerAccount,dataAreaId&$orderby=CustomerAccount desc&$top=2&$skip=1&$count=true',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      '@odata.count': number;
      '@odata.nextLink'?: string;
      value: Array<{ CustomerAccount: string; dataAreaId: string }>;
    };
    const desc = accounts.reverse();
    expect(body.value.map((c) => c.CustomerAccount)).toEqual(desc.slice(1, 3));
    expect(body['@odata.count']).toBe(accounts.length);
    // $top asked for no more than this page: nothing to continue.
    expect(body['@odata.nextLink']).toBeUndefined();
    expect(new Set(body.value.map((c) => c.dataAreaId))).toEqual(new Set(['usmf']));
  });

  it('cross-company=true with $filter on dataAreaId, as the F&O article shows', async () => {
    const res = await get("/data/CustomersV3?$filter=dataAreaId eq 'usrt'&cross-company=true&$top=1000");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: Array<{ dataAreaId: string }> };
    expect(body.value.length).toBeGreaterThan(0);
    expect(new Set(body.value.map((c) => c.dataAreaId))).toEqual(new Set(['usrt']));
  });

  it('$batch: the OData v4.0 §11.7 example request, with F&O entity sets in place of its placeholders', async () => {
    // Framing as in the specifications' example request: its boundary names, `multipart/mixed;boundary=`
    // without a space, `Content-Transfer-Encoding:binary` without a space, a GET request line
    // without an HTTP version, an absolute path with a separate Host header, a `$1` reference to
    // the entity created by Content-ID 1 in the same changeset, and a path relative to the
    // service root. The example's placeholders (`/service/Customers('ALFKI')`, `<AtomPub
    // representation of a new Customer>`, `If-Match: xxxxx`) become F&O entities and JSON; its
    // `Content-Length: ###` lines are left out (a real client sends the number or nothing).
    const boundary = 'batch_36522ad7-fc75-4b56-8c71-56071383e77b';
    const changeset = 'changeset_77162fcd-b8da-41ac-a9f8-9357efbbd';
    const host = new URL(emu.url).host;
    const body = [
      `--${boundary}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding:binary',
      '',
      "GET /data/CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
      `Host: ${host}`,
      '',
      `--${boundary}`,
      `Content-Type: multipart/mixed;boundary=${changeset}`,
      '',
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding:binary',
      'Content-ID: 1',
      '',
      'POST /data/CustomerGroups HTTP/1.1',
      `Host: ${host}`,
      'Content-Type: application/json',
      '',
      JSON.stringify({ CustomerGroupId: 'SPEC1', Description: 'Created in a batch' }),
      '',
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding:binary',
      'Content-ID: 2',
      '',
      'PATCH $1 HTTP/1.1',
      `Host: ${host}`,
      'Content-Type: application/json',
      '',
      JSON.stringify({ Description: 'Updated through $1' }),
      '',
      `--${changeset}--`,
      '',
      `--${boundary}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding:binary',
      '',
      'GET CustomerGroups?$top=1 HTTP/1.1',
      `Host: ${host}`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const res = await fetch(`${emu.url}/data/$batch`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'OData-Version': '4.0',
        'Content-Type': `multipart/mixed;boundary=${boundary}`,
      },
      body,
    });
    expect(res.status).toBe(200);
    const replyType = res.headers.get('content-type') ?? '';
    const replyBoundary = /boundary=([^;\s]+)/.exec(replyType)?.[1];
    expect(replyBoundary).toMatch(/^batchresponse_/);
    const text = await res.text();
    const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
    // GET, then the changeset's 201 and 204, then the last GET: in request order.
    expect(statuses).toEqual([200, 201, 204, 200]);
    expect(text).toContain('Content-ID: 1');
    const group = emu.control
      .rows('CustomerGroups', { company: 'usmf' })
      .find((g) => g.CustomerGroupId === 'SPEC1');
    expect(group?.Description).toBe('Updated through $1');
  });
});
