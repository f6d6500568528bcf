import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { generateSigningCertificate } from '../../../test/support/signing.js';
import { capturingLogger, testConfig } from './helpers.js';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const DEV_KEY = 'dev-key-0123456789abcdef';
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
    // Up or down, nothing else: no version or uptime for a stranger to fingerprint.
    expect(res.json()).toEqual({ status: 'ok' });
    expect(called).toBe(false);
  });

  it('reports each readiness check to an admin and answers 503 when one fails', async () => {
    app = await buildApp({
      config: testConfig({ ADMIN_API_KEYS: ADMIN_KEY }),
      logger: capturingLogger().logger,
      parts: [
        { name: 'store', readiness: { store: async () => ({ ok: true, detail: 'sqlite' }) } },
        { name: 'd365', readiness: { d365: async () => ({ ok: false, detail: 'token audience mismatch' }) } },
      ],
    });
    const res = await app.inject({ url: '/readyz', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'not-ready',
      checks: {
        store: { ok: true, detail: 'sqlite' },
        d365: { ok: false, detail: 'token audience mismatch' },
      },
    });
  });

  it('tells a stranger the status code and one word, nothing of the checks', async () => {
    app = await buildApp({
      config: testConfig({ ADMIN_API_KEYS: ADMIN_KEY, INBOUND_API_KEYS: DEV_KEY }),
      logger: capturingLogger().logger,
      parts: [
        {
          name: 'd365',
          readiness: { d365: async () => ({ ok: false, detail: 'https://usmf.example token' }) },
        },
      ],
    });
    for (const authorization of [
      undefined,
      `Bearer ${DEV_KEY}`,
      'Bearer not-a-key',
      `Bearer ${ADMIN_KEY}x`,
    ]) {
      const res = await app.inject({ url: '/readyz', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not-ready' });
    }
  });

  it('turns a hanging or throwing check into a failed check instead of a hanging probe', async () => {
    app = await buildApp({
      config: testConfig({ ADMIN_API_KEYS: ADMIN_KEY }),
      logger: capturingLogger().logger,
      parts: [
        { name: 'x', readiness: { broken: async () => Promise.reject(new Error('connection refused')) } },
      ],
    });
    const res = await app.inject({ url: '/readyz', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
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

  describe('/metrics and /docs: public in development, admin-only in production, or as configured', () => {
    const JWT = {
      INBOUND_JWT_CERT: generateSigningCertificate('metrics-test').certificatePem,
      INBOUND_JWT_ISSUER: 'iss',
      INBOUND_JWT_AUDIENCE: 'aud',
    };
    const statusOf = async (url: string, authorization?: string) =>
      (await app!.inject({ url, headers: authorization ? { authorization } : {} })).statusCode;

    it('are open in development by default', async () => {
      app = await buildApp({
        config: testConfig({ NODE_ENV: 'development' }),
        logger: capturingLogger().logger,
      });
      expect(await statusOf('/metrics')).toBe(200);
      expect(await statusOf('/docs/json')).toBe(200);
    });

    it('need an admin key in production by default', async () => {
      app = await buildApp({
        config: testConfig({ NODE_ENV: 'production', ADMIN_API_KEYS: ADMIN_KEY, ...JWT }),
        logger: capturingLogger().logger,
      });
      for (const url of ['/metrics', '/docs/json', '/docs/', '/docs/static/index.html']) {
        expect(await statusOf(url), url).toBe(401);
      }
      expect(await statusOf('/metrics', `Bearer ${ADMIN_KEY}`)).toBe(200);
      expect(await statusOf('/docs/json', `Bearer ${ADMIN_KEY}`)).toBe(200);
      // Health stays public in production.
      expect(await statusOf('/healthz')).toBe(200);
      expect(await statusOf('/readyz')).toBe(200);
    });

    it('follow METRICS_PUBLIC and DOCS_PUBLIC when set', async () => {
      app = await buildApp({
        config: testConfig({
          NODE_ENV: 'production',
          ADMIN_API_KEYS: ADMIN_KEY,
          METRICS_PUBLIC: 'true',
          DOCS_PUBLIC: 'false',
          ...JWT,
        }),
        logger: capturingLogger().logger,
      });
      expect(await statusOf('/metrics')).toBe(200);
      expect(await statusOf('/docs/json')).toBe(401);
      await app.close();
      app = await buildApp({
        config: testConfig({ NODE_ENV: 'development', METRICS_PUBLIC: 'no', DOCS_PUBLIC: '1' }),
        logger: capturingLogger().logger,
      });
      expect(await statusOf('/metrics')).toBe(401);
      expect(await statusOf('/docs/json')).toBe(200);
    });
  });
});
