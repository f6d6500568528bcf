/**
 * `GET /v1/jobs/{id}` (admin): one job in any state, with its payload and audit trail.
 * Also home of the shared pieces of the jobs API: the job schemas (OpenAPI) and the mapping of
 * jobs-module errors to problem+json (`jobsProblem`), which other routes that enqueue reuse.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  JobNotFoundError,
  JobStateConflictError,
  JobValidationError,
  JobsError,
  NumberRangeExhaustedError,
  PayloadTooLargeError,
  StoreUnavailableError,
} from '../../jobs/errors.js';
import type { AuditEntry, Job, Store } from '../../jobs/types.js';
import { ProblemError } from '../problem.js';
import type { AppPart } from '../../app.js';
import deadLetterRoutes from './dead-letters.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  transient: z.boolean(),
  attempt: z.number().int(),
  at: z.string(),
});

export const jobSummarySchema = z.object({
  id: z.string(),
  flow: z.string(),
  key: z.string(),
  version: z.string(),
  state: z.enum(['queued', 'running', 'done', 'dead', 'superseded', 'discarded']),
  attempts: z.number().int(),
  runAt: z.string(),
  leaseUntil: z.string().nullable(),
  lastError: jobErrorSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  note: z.string().nullable(),
});

export const auditSchema = z.object({
  at: z.string(),
  action: z.enum(['dead', 'replayed', 'discarded', 'superseded', 'released']),
  actor: z.string().nullable(),
  detail: z.string().nullable(),
});

export const jobDetailSchema = jobSummarySchema.extend({
  payload: z.unknown(),
  audit: z.array(auditSchema),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
  })
  .loose();

export function jobSummary(j: Job): z.infer<typeof jobSummarySchema> {
  return {
    id: j.id,
    flow: j.flow,
    key: j.key,
    version: j.version,
    state: j.state,
    attempts: j.attempts,
    runAt: iso(j.runAt)!,
    leaseUntil: iso(j.leaseUntil),
    lastError: j.lastError ? { ...j.lastError, at: iso(j.lastError.at)! } : null,
    createdAt: iso(j.createdAt)!,
    updatedAt: iso(j.updatedAt)!,
    finishedAt: iso(j.finishedAt),
    note: j.note,
  };
}

export function jobDetail(j: Job, audit: AuditEntry[]): z.infer<typeof jobDetailSchema> {
  return {
    ...jobSummary(j),
    payload: j.payload,
    audit: audit.map((a) => ({ at: iso(a.at)!, action: a.action, actor: a.actor, detail: a.detail })),
  };
}

/** Map an error of the jobs module to problem+json; anything else is rethrown as is. */
export function jobsProblem(err: unknown): unknown {
  if (!(err instanceof JobsError)) return err;
  const base = { status: err.httpStatus, code: err.code, detail: err.message, cause: err };
  if (err instanceof StoreUnavailableError) {
    return new ProblemError({
      ...base,
      title: 'Job store unavailable',
      detail: 'The durable job store cannot accept writes right now; nothing was accepted. Retry later.',
      retryAfterS: 30,
    });
  }
  if (err instanceof JobValidationError)
    return new ProblemError({ ...base, title: 'Invalid job', errors: err.issues });
  if (err instanceof PayloadTooLargeError)
    return new ProblemError({ ...base, title: 'Job payload too large' });
  if (err instanceof JobNotFoundError) return new ProblemError({ ...base, title: 'Job not found' });
  if (err instanceof JobStateConflictError) {
    return new ProblemError({ ...base, title: 'Not a dead letter', extensions: { state: err.state } });
  }
  if (err instanceof NumberRangeExhaustedError)
    return new ProblemError({ ...base, title: 'Number range exhausted' });
  return new ProblemError({ ...base, title: 'Job error' });
}

/** Who did it, for the audit trail (never a secret: key ids only). */
export function actorOf(principal: unknown): string | null {
  const p = principal as { kind?: string; keyId?: string; subject?: string } | undefined;
  if (!p?.kind) return null;
  return p.keyId ? `${p.kind}:${p.keyId}` : p.subject ? `${p.kind}:${p.subject}` : p.kind;
}

export interface JobRoutesOptions {
  store: Store;
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
      try {
        const job = await opts.store.getJob(request.params.id);
        if (!job) throw new JobNotFoundError(request.params.id);
        return jobDetail(job, await opts.store.getAudit(job.id));
      } catch (err) {
        throw jobsProblem(err);
      }
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

/**
 * Register the admin routes (`/v1/jobs`, `/v1/dead-letters`) and stop the scheduler, the queue
 * and the store when the app closes, in that order. For `buildApp({ parts })` use `jobsPart`.
 */
export async function registerJobs(app: FastifyInstance, opts: RegisterJobsOptions): Promise<void> {
  await app.register(jobRoutes, { store: opts.store });
  await app.register(deadLetterRoutes, { store: opts.store });
  app.addHook('onClose', async () => {
    await closeJobs(opts);
  });
}

async function closeJobs(opts: RegisterJobsOptions): Promise<void> {
  await opts.scheduler?.stop();
  await opts.queue?.stop(opts.graceMs === undefined ? {} : { graceMs: opts.graceMs });
  if (opts.closeStore !== false) await opts.store.close();
}

/** The same, as an `AppPart` for `buildApp({ parts })`: routes, a `store` readiness check, cleanup. */
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
