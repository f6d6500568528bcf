/**
 * The server the tests build is the server main.ts runs: same options, timeouts set; and the
 * spine's plugins refuse to load out of order.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createInboundAuthenticator } from '../../src/http/auth.js';
import accessPlugin from '../../src/http/plugins/access.js';
import requestMetrics from '../../src/http/request-metrics.js';
import { SERVER_TIMEOUTS } from '../../src/server-options.js';
import { capturingLogger, testConfig } from './helpers.js';

describe('server options', () => {
  it('sets the keep-alive, request, headers and connection timeouts', async () => {
    const app = await buildApp({
      config: testConfig({ KEEP_ALIVE_TIMEOUT_MS: '65000' }),
      logger: capturingLogger().logger,
    });
    try {
      await app.ready();
      expect(app.server.keepAliveTimeout).toBe(65_000);
      expect(app.server.requestTimeout).toBe(SERVER_TIMEOUTS.requestTimeoutMs);
      expect(app.server.headersTimeout).toBe(SERVER_TIMEOUTS.headersTimeoutMs);
      expect(app.server.timeout).toBe(SERVER_TIMEOUTS.connectionTimeoutMs);
      // The keep-alive default outlasts a 60 s load-balancer idle timeout (AWS ALB, nginx).
      expect(testConfig().KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
    } finally {
      await app.close();
    }
  });
});

describe('plugin order is checked by Fastify', () => {
  it('refuses the access plugin before the problem handler', async () => {
    const app = Fastify();
    const authenticator = createInboundAuthenticator({ devApiKeys: [], adminApiKeys: [], clockSkewS: 0 });
    await expect(app.register(accessPlugin, { authenticator })).rejects.toThrow(/fobridge-problems/);
  });

  it('refuses request metrics without the registry decorator', async () => {
    const app = Fastify();
    await expect(app.register(requestMetrics)).rejects.toThrow(/fobridge-metrics/);
  });
});
