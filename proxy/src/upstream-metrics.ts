/**
 * Outbound call metrics shared by the F&O and the Salesforce clients, one family for both so a
 * dashboard compares them side by side:
 *   fobridge_upstream_requests_total{upstream,method,status_class}            counter
 *   fobridge_upstream_request_duration_seconds{upstream,method,status_class}  histogram
 * One observation per HTTP attempt (a retried call counts each try). `status_class` is `2xx`…`5xx`,
 * or `error` when no answer arrived (network failure, timeout). Token requests are not counted.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type Upstream = 'd365' | 'salesforce';

export interface UpstreamMetrics {
  observe(call: { method: string; status: number | undefined; seconds: number }): void;
}

const LABELS = ['upstream', 'method', 'status_class'] as const;

/** `2xx` … `5xx`, or `error` when there was no HTTP answer. */
export function statusClass(status: number | undefined): string {
  return status === undefined || status < 100 ? 'error' : `${Math.floor(status / 100)}xx`;
}

export function createUpstreamMetrics(registry: Registry | undefined, upstream: Upstream): UpstreamMetrics {
  if (!registry) return { observe: () => {} };
  // Both clients share the families on one registry: create once, reuse after.
  const calls =
    (registry.getSingleMetric('fobridge_upstream_requests_total') as Counter<(typeof LABELS)[number]>) ??
    new Counter({
      name: 'fobridge_upstream_requests_total',
      help: 'HTTP calls to F&O and Salesforce, per attempt, by status class',
      labelNames: LABELS,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('fobridge_upstream_request_duration_seconds') as Histogram<
      (typeof LABELS)[number]
    >) ??
    new Histogram({
      name: 'fobridge_upstream_request_duration_seconds',
      help: 'Duration of one HTTP call to F&O or Salesforce',
      labelNames: LABELS,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  return {
    observe({ method, status, seconds }) {
      const labels = { upstream, method: method.toUpperCase(), status_class: statusClass(status) };
      calls.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
