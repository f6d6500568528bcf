/**
 * Default deny, checked on the real composition: every route the app registers — the parts as
 * `runtime.ts` composes them, Swagger UI's, /metrics, HEAD twins — declares who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.js';
import { declaredAccess } from '../../src/http/access.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime.js';
import { capturingLogger, testConfig } from './helpers.js';

const DEV_KEY = 'dev-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';

describe('every registered route declares its access', () => {
  const routes: RouteOptions[] = [];
  let app: FastifyInstance;

  beforeAll(async () => {
    const config = testConfig({ INBOUND_API_KEYS: DEV_KEY, ADMIN_API_KEYS: ADMIN_KEY });
    const { logger } = capturingLogger();
    const registry = createMetrics({ defaultMetrics: false });
    const runtime = await createRuntime(config, { logger, registry, startWorkers: false });
    app = await buildApp({
      config,
      logger,
      registry,
      parts: runtime.parts,
      onRoute: (route) => routes.push(route),
    });
    await app.ready();
  });
  afterAll(() => app?.close());

  it('walks the whole API, docs and operational routes', () => {
    const urls = new Set(routes.map((r) => r.url));
    for (const expected of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/docs',
      '/docs/json',
      '/v1/ping',
      '/v1/inventory',
      '/v1/sync/accounts',
      '/v1/sync/contacts',
      '/v1/orders',
      '/v1/jobs/:id',
      '/v1/dead-letters',
      '/v1/dead-letters/:id',
    ]) {
      expect(urls, expected).toContain(expected);
    }
  });

  it('finds no route without a declared access', () => {
    const undeclared = routes
      .filter((r) => declaredAccess(r.config as { auth?: unknown }).length === 0)
      .map((r) => `${String(r.method)} ${r.url}`);
    expect(undeclared).toEqual([]);
  });

  it('keeps admin routes for admins only, the sync routes for callouts, inventory for the widget', () => {
    const access = (method: string, url: string) =>
      declaredAccess(
        routes.find((r) => r.url === url && [r.method].flat().includes(method))?.config as { auth?: unknown },
      );
    for (const r of routes.filter((r) => /^\/v1\/(jobs|dead-letters)/.test(r.url)))
      expect(declaredAccess(r.config as { auth?: unknown }), r.url).toEqual(['admin']);
    for (const url of ['/v1/sync/accounts', '/v1/sync/contacts', '/v1/orders'])
      expect(access('POST', url)).toEqual(['callout']);
    expect(access('GET', '/v1/inventory')).toEqual(['widget']);
  });
});

describe('a route that declares nothing refuses everyone', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({
      config: testConfig({ INBOUND_API_KEYS: DEV_KEY, ADMIN_API_KEYS: ADMIN_KEY }),
      logger: capturingLogger().logger,
      parts: [
        {
          name: 'forgetful',
          routes: async (a) => {
            a.get('/v1/forgot', async () => ({ reached: true }));
            a.get('/forgot-too', async () => ({ reached: true }));
            a.get('/v1/misspelt', { config: { auth: 'everyone' as never } }, async () => ({ reached: true }));
          },
        },
      ],
    });
  });
  afterAll(() => app.close());

  it.each(['/v1/forgot', '/forgot-too', '/v1/misspelt'])('%s is 401 for every credential', async (url) => {
    for (const key of [undefined, DEV_KEY, ADMIN_KEY]) {
      const res = await app.inject({ url, headers: key ? { authorization: `Bearer ${key}` } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain('reached');
    }
  });
});
