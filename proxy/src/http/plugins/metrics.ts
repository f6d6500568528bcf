/**
 * The Prometheus registry as a decorator (`app.metricsRegistry`), for the plugins that count
 * (request-metrics.ts) and the `/metrics` route; they name `fobridge-metrics` as a dependency.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from '../../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metricsRegistry: Registry;
  }
}

async function metrics(app: FastifyInstance, opts: { registry: Registry }): Promise<void> {
  app.decorate('metricsRegistry', opts.registry);
}

export default fp(metrics, { name: 'fobridge-metrics' });
