/**
 * One Prometheus registry per app instance (tests build many apps; a global registry would
 * collide). Modules receive it and register metrics named `fobridge_<concern>_<what>`. prom-client's
 * default metrics already start with `process_` / `nodejs_`, so their prefix is only `fobridge_`
 * (`fobridge_process_cpu_seconds_total`, `fobridge_nodejs_eventloop_lag_seconds`). docs/metrics.md lists them all.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fobridge_' });
  return registry;
}

export type { Registry } from 'prom-client';
