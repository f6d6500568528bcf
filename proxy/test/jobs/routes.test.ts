/** The admin API for dead letters and jobs, through the real app (auth, problem+json, OpenAPI). */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { jobsPart } from '../../src/http/routes/jobs.js';
import { PermanentJobError } from '../../src/jobs/errors.js';
import { createJobQueue, type JobQueue } from '../../src/jobs/queue.js';
import { openStore } from '../../src/jobs/store.js';
import type { Store } from '../../src/jobs/types.js';
import { capturingLogger, testConfig } from '../http/helpers.js';
import { tempDir, QUEUE_SETTINGS } from './helpers.js';

const ADMIN = 'admin-key-0123456789';
const DEV = 'dev-key-0123456789abc';
const tmp = tempDir();
let app: FastifyInstance;
let store: Store;
let queue: JobQueue;
const admin = { authorization: `Bearer ${ADMIN}` };

beforeAll(async () => {
  store = await openStore(`sqlite:${join(tmp.dir, 'routes.db')}`);
  queue = createJobQueue({ ...QUEUE_SETTINGS, store });
  queue.registerHandler('account', async (job) => {
    if ((job.payload as { bad?: boolean }).bad) {
      throw new PermanentJobError({
        code: 'INVALID_FIELD',
        message: 'No such column Foo__c',
        details: { field: 'Foo__c' },
      });
    }
  });
  queue.registerHandler('contact', async () => {
    throw new PermanentJobError({ code: 'D365_VALIDATION', message: 'Mandatory field' });
  });
  await queue.enqueueMany<{ bad?: boolean }>([
    ...Array.from({ length: 5 }, (_, i) => ({
      flow: 'account',
      key: `A${i}`,
      version: 'v1',
      payload: { bad: true },
    })),
    { flow: 'contact', key: 'C1', version: 'v1', payload: {} },
    { flow: 'account', key: 'OK', version: 'v1', payload: {} },
  ]);
  while ((await queue.runDue()) > 0);
  app = await buildApp({
    config: testConfig({ ADMIN_API_KEYS: ADMIN, INBOUND_API_KEYS: DEV }),
    logger: capturingLogger().logger,
    parts: [jobsPart({ store, queue })],
  });
});
afterAll(async () => {
  await app.close(); // closes queue and store through the part
  tmp.remove();
});

describe('admin auth', () => {
  it('refuses callers without the admin credential', async () => {
    const none = await app.inject({ method: 'GET', url: '/v1/dead-letters' });
    expect(none.statusCode).toBe(401);
    const dev = await app.inject({
      method: 'GET',
      url: '/v1/dead-letters',
      headers: { authorization: `Bearer ${DEV}` },
    });
    expect([401, 403]).toContain(dev.statusCode);
    expect(dev.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});

describe('dead letters API', () => {
  it('lists with filters and pagination', async () => {
    const all = await app.inject({ method: 'GET', url: '/v1/dead-letters?limit=4', headers: admin });
    expect(all.statusCode).toBe(200);
    const page1 = all.json();
    expect(page1.items).toHaveLength(4);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (
      await app.inject({
        method: 'GET',
        url: `/v1/dead-letters?limit=4&cursor=${page1.nextCursor}`,
        headers: admin,
      })
    ).json();
    expect(page2.items).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    const contact = (
      await app.inject({ method: 'GET', url: '/v1/dead-letters?flow=contact', headers: admin })
    ).json();
    expect(contact.items.map((j: { key: string }) => j.key)).toEqual(['C1']);
    const byCode = (
      await app.inject({ method: 'GET', url: '/v1/dead-letters?code=INVALID_FIELD', headers: admin })
    ).json();
    expect(byCode.items).toHaveLength(5);
    expect(byCode.items[0]).toMatchObject({
      state: 'dead',
      lastError: { code: 'INVALID_FIELD', transient: false },
    });
    const bad = await app.inject({ method: 'GET', url: '/v1/dead-letters?since=yesterday', headers: admin });
    expect(bad.statusCode).toBe(400);
  });

  it('shows one with payload, reason and audit; unknown ids are 404 JOB_NOT_FOUND', async () => {
    const list = (
      await app.inject({ method: 'GET', url: '/v1/dead-letters?flow=contact', headers: admin })
    ).json();
    const id = list.items[0].id;
    const one = await app.inject({ method: 'GET', url: `/v1/dead-letters/${id}`, headers: admin });
    expect(one.json()).toMatchObject({
      id,
      payload: {},
      lastError: { message: 'Mandatory field' },
      audit: [{ action: 'dead' }],
    });
    const missing = await app.inject({ method: 'GET', url: '/v1/dead-letters/nope', headers: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.json()).toMatchObject({ code: 'JOB_NOT_FOUND', status: 404 });
    const job = await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: admin });
    expect(job.json()).toMatchObject({ id, flow: 'contact', state: 'dead' });
    expect((await app.inject({ method: 'GET', url: '/v1/jobs/nope', headers: admin })).json().code).toBe(
      'JOB_NOT_FOUND',
    );
  });

  it('replays one (then 409 when replayed again) and records who did it', async () => {
    const list = (
      await app.inject({ method: 'GET', url: '/v1/dead-letters?flow=contact', headers: admin })
    ).json();
    const id = list.items[0].id;
    const r = await app.inject({ method: 'POST', url: `/v1/dead-letters/${id}/replay`, headers: admin });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ outcome: 'requeued', job: { id, state: 'queued', attempts: 0 } });
    const again = await app.inject({ method: 'POST', url: `/v1/dead-letters/${id}/replay`, headers: admin });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'JOB_NOT_DEAD', state: 'queued' });
    const job = (await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: admin })).json();
    expect(job.audit.at(-1)).toMatchObject({ action: 'replayed', actor: expect.stringMatching(/^admin/) });
  });

  it('bulk replay needs a filter, supports dry runs', async () => {
    const none = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: admin,
      payload: {},
    });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('FILTER_REQUIRED');
    const dry = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: admin,
      payload: { code: 'INVALID_FIELD', dryRun: true },
    });
    expect(dry.json()).toMatchObject({ dryRun: true, matched: 5, requeued: 0 });
    const real = await app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: admin,
      payload: { flow: 'account', code: 'INVALID_FIELD', limit: 2 },
    });
    expect(real.json()).toMatchObject({ dryRun: false, matched: 2, requeued: 2, superseded: 0 });
  });

  it('discards with a reason (required), kept for audit', async () => {
    const list = (
      await app.inject({ method: 'GET', url: '/v1/dead-letters?code=INVALID_FIELD', headers: admin })
    ).json();
    const id = list.items[0].id;
    const noReason = await app.inject({ method: 'DELETE', url: `/v1/dead-letters/${id}`, headers: admin });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().code).toBe('REASON_REQUIRED');
    const byQuery = await app.inject({
      method: 'DELETE',
      url: `/v1/dead-letters/${id}?reason=${encodeURIComponent('test account, deleted in Salesforce')}`,
      headers: admin,
    });
    expect(byQuery.json()).toMatchObject({
      id,
      state: 'discarded',
      note: 'discarded: test account, deleted in Salesforce',
    });
    const id2 = list.items[1].id;
    const byBody = await app.inject({
      method: 'DELETE',
      url: `/v1/dead-letters/${id2}`,
      headers: admin,
      payload: { reason: 'duplicate' },
    });
    expect(byBody.statusCode).toBe(200);
    const audit = (await app.inject({ method: 'GET', url: `/v1/jobs/${id2}`, headers: admin })).json().audit;
    expect(audit.at(-1)).toMatchObject({ action: 'discarded', detail: 'duplicate' });
    expect(
      (await app.inject({ method: 'GET', url: '/v1/dead-letters?code=INVALID_FIELD', headers: admin })).json()
        .items,
    ).toHaveLength(1);
  });

  it('is in the OpenAPI document with admin security', async () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, { security?: unknown }>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/dead-letters',
        '/v1/dead-letters/{id}',
        '/v1/dead-letters/{id}/replay',
        '/v1/dead-letters/replay',
        '/v1/jobs/{id}',
      ]),
    );
    expect(doc.paths['/v1/dead-letters']!.get!.security).toEqual([{ admin: [] }]);
  });

  it('readiness includes the store', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz', headers: admin });
    expect(res.body).toMatch(/store/);
  });
});
