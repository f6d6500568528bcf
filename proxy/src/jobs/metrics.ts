/**
 * Queue metrics on the registry the app passes in (served by `/metrics`):
 *   fobridge_jobs_depth{flow,state}                    gauge   jobs per state (from the store, all replicas)
 *   fobridge_jobs_oldest_queued_age_seconds{flow}      gauge   age of the oldest queued job
 *   fobridge_jobs_dead_letters{flow}                   gauge   dead letters waiting for an operator
 *   fobridge_jobs_attempts_total{flow,outcome}         counter attempts run by this replica (done|retry|dead|lost)
 *   fobridge_jobs_handler_duration_seconds{flow,outcome} histogram
 * Gauges read the store once per scrape (cached 1 s so several gauges share one query).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Housekeeping, QueueStats } from './types.js';

export interface JobMetrics {
  attempts: Counter<'flow' | 'outcome'>;
  duration: Histogram<'flow' | 'outcome'>;
}

export function createJobMetrics(
  registry: Registry,
  store: Pick<Housekeeping, 'stats'>,
  clock: () => number,
): JobMetrics {
  let cached: { at: number; stats: Promise<QueueStats> } | null = null;
  const stats = (): Promise<QueueStats> => {
    const now = clock();
    if (!cached || now - cached.at > 1000) cached = { at: now, stats: store.stats() };
    return cached.stats;
  };
  // A scrape must not fail because the store hiccuped: report nothing for that scrape.
  const safeStats = async (): Promise<QueueStats | null> => stats().catch(() => null);

  new Gauge({
    name: 'fobridge_jobs_depth',
    help: 'Jobs in the store by flow and state',
    labelNames: ['flow', 'state'],
    registers: [registry],
    async collect() {
      const s = await safeStats();
      this.reset();
      for (const c of s?.counts ?? []) this.set({ flow: c.flow, state: c.state }, c.count);
    },
  });
  new Gauge({
    name: 'fobridge_jobs_oldest_queued_age_seconds',
    help: 'Age of the oldest queued job per flow',
    labelNames: ['flow'],
    registers: [registry],
    async collect() {
      const s = await safeStats();
      this.reset();
      const now = clock();
      for (const o of s?.oldestQueued ?? [])
        this.set({ flow: o.flow }, Math.max(0, (now - o.createdAt) / 1000));
    },
  });
  new Gauge({
    name: 'fobridge_jobs_dead_letters',
    help: 'Dead letters waiting for replay or discard, per flow',
    labelNames: ['flow'],
    registers: [registry],
    async collect() {
      const s = await safeStats();
      this.reset();
      for (const c of s?.counts ?? []) if (c.state === 'dead') this.set({ flow: c.flow }, c.count);
    },
  });
  return {
    attempts: new Counter({
      name: 'fobridge_jobs_attempts_total',
      help: 'Job attempts run by this replica, by outcome (done, retry, dead, lost)',
      labelNames: ['flow', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'fobridge_jobs_handler_duration_seconds',
      help: 'Job handler duration',
      labelNames: ['flow', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
  };
}
