/**
 * The door of flows 1–3: what Salesforce's Queueable gets back, per record, and that nothing is
 * accepted unless it is durable (a read-only store answers 503 and loses nothing).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createJobQueue, openStore, type Store } from '../../src/jobs/index.js';
import syncRoutes from '../../src/http/routes/sync.js';
import { capturingLogger, testConfig } from './helpers.js';
import { contractFixture as fixture } from '../../../test/support/contract-fixtures.js';
import { QUEUE_SETTINGS } from '../jobs/helpers.js';

const KEY = 'dev-key-0123456789abcdef';

let app: FastifyInstance | undefined;
let store: Store | undefined;
afterEach(async () => {
  await app?.close();
  await store?.close();
  app = store = undefined;
});

async function start(path: string, readOnly = false): Promise<FastifyInstance> {
  store = await openStore(`sqlite:${path}`, { readOnly });
  const queue = createJobQueue({ ...QUEUE_SETTINGS, store });
  return buildApp({
    config: testConfig({ INBOUND_API_KEYS: KEY }),
    logger: capturingLogger().logger,
    parts: [{ name: 'sync', routes: async (a) => a.register(syncRoutes, { queue }) }],
  });
}

const post = (a: FastifyInstance, url: string, payload: unknown) =>
  a.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${KEY}` } });

describe('POST /v1/sync/accounts intake', () => {
  it('accepts the records the Apex sends, one durable job each, and a resend is a no-op', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fob-intake-')), 'bridge.db');
    app = await start(path);
    const request = fixture('BridgeContract_SyncAccountsRequest');
    const first = await post(app, '/v1/sync/accounts', request);
    expect(first.statusCode).toBe(202);
    const results = first.json().results;
    expect(results).toHaveLength(request.records.length);
    expect(
      results.every(
        (r: { status: string; outcome: string }) => r.status === 'accepted' && r.outcome === 'enqueued',
      ),
    ).toBe(true);
    expect(Object.keys(results[0]).sort()).toEqual(
      expect.arrayContaining(
        Object.keys(fixture('BridgeContract_SyncAccountsResponse').results[0]).filter(
          (k) => k !== 'code' && k !== 'reason',
        ),
      ),
    );
    const again = await post(app, '/v1/sync/accounts', request);
    expect(again.json().results.map((r: { outcome: string }) => r.outcome)).toEqual(
      results.map(() => 'duplicate'),
    );
    expect((await store!.stats()).counts).toEqual([
      { flow: 'account', state: 'queued', count: request.records.length },
    ]);
  });

  it('rejects bad records one by one and keeps the good ones', async () => {
    app = await start(join(mkdtempSync(join(tmpdir(), 'fob-intake-')), 'bridge.db'));
    const [good] = fixture('BridgeContract_SyncAccountsRequest').records;
    const res = await post(app, '/v1/sync/accounts', {
      records: [
        good,
        { ...good, Id: 'nope' },
        { ...good, SystemModstamp: undefined },
        { ...good, attributes: { type: 'Contact' } },
      ],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'accepted',
      'INVALID_RECORD',
      'INVALID_RECORD',
      'WRONG_OBJECT_TYPE',
    ]);
  });

  it('refuses a malformed envelope with 400 and stores nothing', async () => {
    app = await start(join(mkdtempSync(join(tmpdir(), 'fob-intake-')), 'bridge.db'));
    const [good] = fixture('BridgeContract_SyncAccountsRequest').records;
    const tooMany = await post(app, '/v1/sync/accounts', {
      records: Array.from({ length: 201 }, () => good),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.records' }] });
    expect((await post(app, '/v1/orders', { record: good })).statusCode).toBe(400);
    expect((await store!.stats()).counts).toEqual([]);
  });

  it('answers 503 STORE_UNAVAILABLE with Retry-After when the store is read-only, losing nothing accepted before', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fob-intake-')), 'bridge.db');
    const request = fixture('BridgeContract_SyncAccountsRequest');
    app = await start(path);
    expect((await post(app, '/v1/sync/accounts', request)).statusCode).toBe(202);
    await app.close();
    await store!.close();

    app = await start(path, true);
    const refused = await post(app, '/v1/sync/contacts', fixture('BridgeContract_SyncContactsRequest'));
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await app.close();
    await store!.close();

    app = await start(path);
    expect((await store!.stats()).counts).toEqual([
      { flow: 'account', state: 'queued', count: request.records.length },
    ]);
  });
});
