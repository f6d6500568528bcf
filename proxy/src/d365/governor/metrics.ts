/** prom-client metrics of the governor, `fobridge_d365_*`, labelled by F&O environment. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface GovernorMetrics {
  inFlight: Gauge<'environment'>;
  limit: Gauge<'environment'>;
  queued: Gauge<'environment' | 'lane'>;
  pausedUntil: Gauge<'environment'>;
  throttled: Counter<'environment'>;
  retries: Counter<'environment' | 'reason'>;
  duration: Histogram<'environment' | 'lane' | 'outcome'>;
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createGovernorMetrics(registry: Registry = new Registry()): GovernorMetrics {
  const registers = [registry];
  return {
    inFlight: getOrCreate(
      registry,
      'fobridge_d365_in_flight',
      () =>
        new Gauge({
          name: 'fobridge_d365_in_flight',
          help: 'F&O calls in flight',
          labelNames: ['environment'],
          registers,
        }),
    ),
    limit: getOrCreate(
      registry,
      'fobridge_d365_concurrency_limit',
      () =>
        new Gauge({
          name: 'fobridge_d365_concurrency_limit',
          help: 'Adaptive concurrency limit of the F&O governor',
          labelNames: ['environment'],
          registers,
        }),
    ),
    queued: getOrCreate(
      registry,
      'fobridge_d365_queue_length',
      () =>
        new Gauge({
          name: 'fobridge_d365_queue_length',
          help: 'Calls waiting for a governor slot, by lane',
          labelNames: ['environment', 'lane'],
          registers,
        }),
    ),
    pausedUntil: getOrCreate(
      registry,
      'fobridge_d365_paused_until_seconds',
      () =>
        new Gauge({
          name: 'fobridge_d365_paused_until_seconds',
          help: 'Unix time until which every lane is paused after a 429 (0 = not paused)',
          labelNames: ['environment'],
          registers,
        }),
    ),
    throttled: getOrCreate(
      registry,
      'fobridge_d365_throttled_total',
      () =>
        new Counter({
          name: 'fobridge_d365_throttled_total',
          help: '429 answers from F&O',
          labelNames: ['environment'],
          registers,
        }),
    ),
    retries: getOrCreate(
      registry,
      'fobridge_d365_retries_total',
      () =>
        new Counter({
          name: 'fobridge_d365_retries_total',
          help: 'Retried F&O calls by reason (throttled, server, network, auth)',
          labelNames: ['environment', 'reason'],
          registers,
        }),
    ),
    duration: getOrCreate(
      registry,
      'fobridge_d365_request_duration_seconds',
      () =>
        new Histogram({
          name: 'fobridge_d365_request_duration_seconds',
          help: 'F&O call latency (one attempt), by lane and outcome',
          labelNames: ['environment', 'lane', 'outcome'],
          buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
          registers,
        }),
    ),
  };
}
