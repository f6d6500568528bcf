import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { capturingLogger, testConfig } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('health, readiness, docs', () => {
  it('answers /healthz without calling any dependency', async () => {
    let called = false;
    app = await buildApp({
      config: testConfig(),
      logger: capturingLogger().logger,
      parts: [{ name: 'store', readiness: { store: async () => ((called = true), { ok: false }) } }],
    });
    const res = await app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
    expect(called).toBe(false);
  });

  it('reports each readiness check and answers 503 when one fails', async () => {
    app = await buildApp({
      config: testConfig(),
      logger: capturingLogger().logger,
      parts: [
        { name: 'store', readiness: { store: async () => ({ ok: true, detail: 'sqlite' }) } },
        { name: 'd365', readiness: { d365: async () => ({ ok: false, detail: 'token audience mismatch' }) } },
      ],
    });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'not-ready',
      checks: {
        store: { ok: true, detail: 'sqlite' },
        d365: { ok: false, detail: 'token audience mismatch' },
      },
    });
  });

  it('turns a hanging or throwing check into a failed check instead of a hanging probe', async () => {
    app = await buildApp({
      config: testConfig(),
      logger: capturingLogger().logger,
      parts: [
        { name: 'x', readiness: { broken: async () => Promise.reject(new Error('connection refused')) } },
      ],
    });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.broken).toEqual({ ok: false, detail: 'connection refused' });
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    app = await buildApp({ config: testConfig(), logger: capturingLogger().logger });
    const spec = (await app.inject({ url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.paths['/v1/ping'].get.responses['200']).toBeDefined();
    expect(spec.paths['/readyz']).toBeDefined();
    const ui = await app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });
});
