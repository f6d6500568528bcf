/**
 * One Prometheus registry per app instance (tests build many apps; a global registry would
 * collide). Modules receive it and register metrics named `fobridge_<concern>_<what>`.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fobridge_process_' });
  return registry;
}

export type { Registry } from 'prom-client';
