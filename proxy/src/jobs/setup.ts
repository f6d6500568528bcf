/**
 * Build the store and the queue from configuration values (the `JOB_*` variables and
 * `STORE_URL` of `proxy/src/config.ts`, passed in as a plain object — this module never reads
 * the environment).
 */
import type { Registry } from 'prom-client';
import { createJobQueue, type JobLogger, type JobQueue, type JobQueueOptions } from './queue.js';
import { openStore } from './store.js';
import type { Store } from './types.js';

export interface JobsConfig {
  STORE_URL: string;
  JOB_MAX_ATTEMPTS: number;
  JOB_MAX_AGE_H: number;
  JOB_LEASE_S: number;
  JOB_CONCURRENCY: number;
  JOB_RETENTION_H: number;
  JOB_POLL_MS: number;
  JOB_MAX_PAYLOAD_BYTES: number;
}

export type JobQueueSettings = Pick<
  JobQueueOptions,
  'maxAttempts' | 'maxAgeMs' | 'leaseMs' | 'concurrency' | 'retentionMs' | 'pollMs' | 'maxPayloadBytes'
>;

/** The queue's settings from the `JOB_*` variables (their defaults are the config schema's). */
export function jobQueueSettings(config: Omit<JobsConfig, 'STORE_URL'>): JobQueueSettings {
  return {
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    maxAgeMs: config.JOB_MAX_AGE_H * 3_600_000,
    leaseMs: config.JOB_LEASE_S * 1000,
    concurrency: config.JOB_CONCURRENCY,
    retentionMs: config.JOB_RETENTION_H * 3_600_000,
    pollMs: config.JOB_POLL_MS,
    maxPayloadBytes: config.JOB_MAX_PAYLOAD_BYTES,
  };
}

export async function openJobs(
  config: JobsConfig,
  ctx: { logger?: JobLogger; registry?: Registry; capacity?: () => number } = {},
): Promise<{ store: Store; queue: JobQueue }> {
  const store = await openStore(config.STORE_URL);
  const queue = createJobQueue({
    store,
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(ctx.registry ? { registry: ctx.registry } : {}),
    ...(ctx.capacity ? { capacity: ctx.capacity } : {}),
    ...jobQueueSettings(config),
  });
  return { store, queue };
}
