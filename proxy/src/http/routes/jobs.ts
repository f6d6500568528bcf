/**
 * `GET /v1/jobs/{id}` (admin): one job in any state, with its payload and audit trail, and the
 * jobs part that registers it with the dead-letter routes. Errors of the jobs module propagate
 * to the one error handler (`http/error-handler.ts`).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JobNotFoundError } from '../../jobs/errors.js';
import type { JobStore, Store } from '../../jobs/types.js';
import type { AppPart } from '../app-part.js';
import deadLetterRoutes from './dead-letters.js';
import { jobDetail, jobDetailSchema, problemSchema } from './job-schemas.js';

export interface JobRoutesOptions {
  store: Pick<JobStore, 'getJob' | 'getAudit'>;
}

export default async function jobRoutes(app: FastifyInstance, opts: JobRoutesOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/jobs/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['jobs'],
        summary: 'One job in any state, with payload and audit trail',
        security: [{ admin: [] }],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: jobDetailSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const job = await opts.store.getJob(request.params.id);
      if (!job) throw new JobNotFoundError(request.params.id);
      return jobDetail(job, await opts.store.getAudit(job.id));
    },
  );
}

// ── wiring ──────────────────────────────────────────────────────────────────────────────────

export interface RegisterJobsOptions {
  store: Store;
  /** Stopped (gracefully) when the app closes. */
  queue?: { stop(opts?: { graceMs?: number }): Promise<void> };
  scheduler?: { stop(): Promise<void> };
  /** Close the store in onClose too (default true). */
  closeStore?: boolean;
  graceMs?: number;
}

async function closeJobs(opts: RegisterJobsOptions): Promise<void> {
  await opts.scheduler?.stop();
  await opts.queue?.stop(opts.graceMs === undefined ? {} : { graceMs: opts.graceMs });
  if (opts.closeStore !== false) await opts.store.close();
}

/**
 * The admin routes (`/v1/jobs`, `/v1/dead-letters`) as an `AppPart` for `buildApp({ parts })`:
 * routes, a `store` readiness check, and on close the scheduler, the queue and the store are
 * stopped in that order.
 */
export function jobsPart(opts: RegisterJobsOptions): AppPart {
  return {
    name: 'jobs',
    routes: async (app) => {
      await app.register(jobRoutes, { store: opts.store });
      await app.register(deadLetterRoutes, { store: opts.store });
    },
    readiness: {
      store: async () => {
        await opts.store.ping();
        return { ok: true, detail: { kind: opts.store.kind } };
      },
    },
    close: () => closeJobs(opts),
  };
}
