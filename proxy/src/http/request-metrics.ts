/**
 * HTTP metrics of the proxy's own routes:
 *   fobridge_http_requests_total{method,route,status}            counter
 *   fobridge_http_request_duration_seconds{method,route,status}  histogram
 * `route` is the route pattern (`/v1/dead-letters/:id`), never the URL a caller sent, so ids and
 * query strings cannot explode the label set; requests no route matched are `route="unmatched"`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram } from 'prom-client';
import './plugins/metrics.js'; // the `metricsRegistry` decorator's type

const LABELS = ['method', 'route', 'status'] as const;

async function requestMetrics(app: FastifyInstance): Promise<void> {
  const registry = app.metricsRegistry;
  const requests = new Counter({
    name: 'fobridge_http_requests_total',
    help: 'Requests answered by the proxy, by route pattern and status',
    labelNames: LABELS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'fobridge_http_request_duration_seconds',
    help: 'Time from request to response, by route pattern and status',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}

export default fp(requestMetrics, { name: 'fobridge-request-metrics', dependencies: ['fobridge-metrics'] });
