/**
 * The client against the F&O emulator (test/emulators/d365): real token endpoint via MSAL,
 * OData, $batch, DMF and resource-based throttling, time-scaled.
 */
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import {
  createD365Client,
  createOnce,
  D365ValidationError,
  eq,
  type D365Client,
} from '../../src/d365/index.js';
import { errorOf } from './helpers.js';
import { loadConfig } from '../../src/config.js';
import { d365Settings } from '../../src/d365/options-from-config.js';

type Emu = Awaited<ReturnType<typeof import('../../../test/emulators/d365/index.js').startD365Emulator>>;

describe('F&O client against the emulator', () => {
  let emu: Emu;
  let client: D365Client;

  beforeAll(async () => {
    const { startD365Emulator } = await import('../../../test/emulators/d365/index.js');
    emu = await startD365Emulator({ timeScale: 0.01, httpsPort: false, seed: 'demo' });
    client = createD365Client({
      ...d365Settings(loadConfig({ NODE_ENV: 'test' })),
      url: emu.url,
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      // Production-shaped https authority; tokens posted to the emulator over http (MSAL's authorityMetadata).
      authorityHost: 'https://login.microsoftonline.com',
      authorityMetadataOverride: { tokenEndpoint: `${emu.url}/${emu.tenantId}/oauth2/v2.0/token` },
      timeoutMs: 5000,
      packagePolling: { pollInitialMs: 20, pollMaxMs: 100 },
      governor: { pauseJitterMs: 0 },
    });
  });

  afterAll(async () => {
    await client?.close();
    await emu?.close();
  });

  it('gets one token for many concurrent calls, with the right audience', async () => {
    const before = emu.control.counters().tokensIssued;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        client.odata.query('CustomerGroups', { company: 'usmf', top: 1 }).all(),
      ),
    );
    expect(emu.control.counters().tokensIssued - before).toBeLessThanOrEqual(1);
    const ready = await client.readiness();
    expect(ready.ok).toBe(true);
    expect(ready.detail.audience?.ok).toBe(true);
  });

  it('creates, reads back by key with escaping, updates and deletes a customer', async () => {
    const created = await client.odata.create<{ CustomerAccount: string }>(
      'CustomersV3',
      {
        OrganizationName: "O'Brien & Søn",
        CustomerGroupId: '10',
        SalesCurrencyCode: 'USD',
        AddressCity: 'Zürich',
      },
      { company: 'usmf' },
    );
    const key = { dataAreaId: 'usmf', CustomerAccount: created.CustomerAccount };
    const row = await client.odata.getByKey<{ OrganizationName: string }>('CustomersV3', key, {
      select: ['OrganizationName'],
    });
    expect(row.OrganizationName).toBe("O'Brien & Søn");
    const found = await client.odata
      .query('CustomersV3', {
        company: 'usmf',
        filter: eq('OrganizationName', "O'Brien & Søn"),
        select: ['CustomerAccount'],
      })
      .all();
    expect(found.map((r) => r.CustomerAccount)).toContain(created.CustomerAccount);
    await client.odata.update('CustomersV3', key, { AddressCity: 'Genève' });
    expect(emu.control.row('CustomersV3', key)?.AddressCity).toBe('Genève');
    await client.odata.delete('CustomersV3', key);
    expect(await client.odata.findByKey('CustomersV3', key)).toBeUndefined();
  });

  it('reports a bad customer group as D365ValidationError with Infolog lines', async () => {
    const err = await client.odata
      .create(
        'CustomersV3',
        { OrganizationName: 'Bad group', CustomerGroupId: 'Local', SalesCurrencyCode: 'USD' },
        { company: 'usmf' },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365ValidationError);
    expect((err as D365ValidationError).infolog.join(' ')).toMatch(/Customer group/);
  });

  it('creates once when F&O commits but never answers', async () => {
    const ref = `OPP-${Date.now()}`;
    emu.control.faults({ commitNoAnswer: { count: 1, entity: 'CustomersV3' } });
    const find = async () =>
      (
        await client.odata
          .query('CustomersV3', { company: 'usmf', filter: eq('OrganizationName', ref), top: 1 })
          .all()
      )[0];
    const r = await createOnce({
      find,
      create: () =>
        client.odata.create(
          'CustomersV3',
          { OrganizationName: ref, CustomerGroupId: '10', SalesCurrencyCode: 'USD' },
          { company: 'usmf' },
        ),
      lookupDelaysMs: [20, 100, 300],
    });
    expect(r.outcome).toBe('recovered');
    expect(
      emu.control.rows('CustomersV3', { company: 'usmf' }).filter((x) => x.OrganizationName === ref),
    ).toHaveLength(1);
  });

  it('runs a $batch: a good changeset commits, a bad one rolls back as a typed error', async () => {
    const results = await client.batch.execute([
      {
        changeset: [
          {
            method: 'POST',
            entity: 'CustomerGroups',
            query: 'cross-company=true',
            body: { dataAreaId: 'usmf', CustomerGroupId: 'B-OK', Description: 'ok' },
          },
        ],
      },
      {
        changeset: [
          {
            method: 'POST',
            entity: 'CustomerGroups',
            query: 'cross-company=true',
            body: { dataAreaId: 'usmf', CustomerGroupId: 'B-NEW', Description: 'x' },
          },
          {
            method: 'POST',
            entity: 'CustomerGroups',
            query: 'cross-company=true',
            body: { dataAreaId: 'usmf', CustomerGroupId: 'B-OK', Description: 'dup' },
          },
        ],
      },
    ]);
    expect(results[0]!.ok).toBe(true);
    expect(results[1]!.ok).toBe(false);
    expect(errorOf(results[1]) as D365ValidationError).toBeInstanceOf(D365ValidationError);
    expect((errorOf(results[1]) as D365ValidationError).changeset).toBe(1);
    const groups = emu.control.rows('CustomerGroups', { company: 'usmf' }).map((g) => g.CustomerGroupId);
    expect(groups).toContain('B-OK');
    expect(groups).not.toContain('B-NEW');
  });

  it('imports a data package (success) and reports row errors (partial failure)', async () => {
    const ok = await client.packages.importRows({
      definitionGroupId: 'FOB-Customers',
      legalEntityId: 'usmf',
      entityLabel: 'Customers V3',
      fields: ['CustomerAccount', 'OrganizationName', 'CustomerGroupId', 'SalesCurrencyCode'],
      rows: Array.from({ length: 50 }, (_, i) => ({
        CustomerAccount: `PKG-${i}`,
        OrganizationName: `Pkg ${i}`,
        CustomerGroupId: '10',
        SalesCurrencyCode: 'USD',
      })),
    });
    expect(ok.status).toBe('Succeeded');
    expect(emu.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'PKG-49' })).toBeDefined();
    const partial = await client.packages.importRows({
      definitionGroupId: 'FOB-Customers',
      legalEntityId: 'usmf',
      entityLabel: 'Customers V3',
      fields: ['CustomerAccount', 'OrganizationName', 'CustomerGroupId', 'SalesCurrencyCode'],
      rows: [
        {
          CustomerAccount: 'PKG-OK',
          OrganizationName: 'ok',
          CustomerGroupId: '10',
          SalesCurrencyCode: 'USD',
        },
        {
          CustomerAccount: 'PKG-BAD',
          OrganizationName: 'bad',
          CustomerGroupId: 'Nope',
          SalesCurrencyCode: 'USD',
        },
      ],
    });
    expect(partial.status).toBe('PartiallySucceeded');
    expect(partial.errors.join('\n')).toMatch(/row 2/);
  });

  it('adapts to resource-based throttling without losing or duplicating writes', async () => {
    emu.control.setThrottling({
      mode: 'resource',
      concurrency: 8,
      utilisationThreshold: 0.75,
      retryAfterS: 10,
    });
    // Writes take time, as in F&O: with none, most of a call's slot is spent in transit and the
    // emulator sees fewer calls at once than the governor has out, so no limit is ever refused.
    const latency = emu.control.setLatency({}).writeMs;
    emu.control.setLatency({ writeMs: 3000 });
    try {
      const ids = Array.from({ length: 120 }, (_, i) => `THR-${i}`);
      await Promise.all(
        ids.map((id) =>
          client.odata.create(
            'CustomerGroups',
            { CustomerGroupId: id, Description: id },
            { company: 'usmf', lane: 'bulk' },
          ),
        ),
      );
      const stored = emu.control
        .rows('CustomerGroups', { company: 'usmf' })
        .filter((g) => String(g.CustomerGroupId).startsWith('THR-'));
      expect(stored).toHaveLength(120);
      expect(client.governor.status().limit).toBeLessThanOrEqual(8);
    } finally {
      emu.control.setLatency({ writeMs: latency });
      emu.control.setThrottling({ mode: 'off' });
    }
  });
});
