/**
 * Dead letters (admin): jobs that failed permanently or ran out of attempts, kept until an
 * operator replays or discards them (discarded ones stay for audit until JOB_RETENTION_H).
 *
 *   GET    /v1/dead-letters                 list; filter by flow, code, since/until; paginated
 *   GET    /v1/dead-letters/{id}            one (any state, so a link still works after replay)
 *   POST   /v1/dead-letters/{id}/replay     queue it again (or close it when a newer version won)
 *   POST   /v1/dead-letters/replay          bulk replay by filter (body), `dryRun` to count first
 *   DELETE /v1/dead-letters/{id}            discard with a reason (body or `?reason=`)
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeadLetterFilter, DeadLetterStore, JobStore } from '../../jobs/types.js';
import { JobNotFoundError } from '../../jobs/errors.js';
import { ProblemError } from '../problem.js';
import {
  actorOf,
  jobDetail,
  jobDetailSchema,
  jobSummary,
  jobSummarySchema,
  problemSchema,
} from './job-schemas.js';

export interface DeadLetterRoutesOptions {
  store: DeadLetterStore & Pick<JobStore, 'getJob' | 'getAudit'>;
  /** For tests. */
  clock?: () => number;
}

const filterFields = {
  flow: z.string().min(1).max(64).optional().describe('Only this flow'),
  code: z.string().min(1).max(128).optional().describe('Only this error code (lastError.code)'),
  since: z.iso.datetime({ offset: true }).optional().describe('Dead at or after this time (ISO 8601)'),
  until: z.iso.datetime({ offset: true }).optional().describe('Dead before this time (ISO 8601)'),
};

const listQuery = z.object({
  ...filterFields,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

const bulkBody = z.object({
  ...filterFields,
  /** Required when no filter is given: replaying every dead letter must be deliberate. */
  all: z.boolean().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  dryRun: z.boolean().default(false),
});

const replayOutcome = z.enum(['requeued', 'superseded']);
const idParams = z.object({ id: z.string().min(1).max(64) });

function toFilter(q: { flow?: string; code?: string; since?: string; until?: string }): DeadLetterFilter {
  const f: DeadLetterFilter = {};
  if (q.flow) f.flow = q.flow;
  if (q.code) f.code = q.code;
  if (q.since) f.since = Date.parse(q.since);
  if (q.until) f.until = Date.parse(q.until);
  return f;
}

export default async function deadLetterRoutes(
  app: FastifyInstance,
  opts: DeadLetterRoutesOptions,
): Promise<void> {
  const { store } = opts;
  const clock = opts.clock ?? Date.now;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const common = { tags: ['dead letters'], security: [{ admin: [] }] };

  r.get(
    '/v1/dead-letters',
    {
      config: { auth: 'admin' },
      schema: {
        ...common,
        summary: 'List dead letters, newest first',
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(jobSummarySchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await store.listDeadLetters(toFilter(q), { limit: q.limit, cursor: q.cursor ?? null });
      return { items: page.items.map(jobSummary), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/v1/dead-letters/:id',
    {
      config: { auth: 'admin' },
      schema: {
        ...common,
        summary: 'One dead letter with its payload, full error and audit trail',
        params: idParams,
        response: { 200: jobDetailSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const job = await store.getJob(request.params.id);
      if (!job) throw new JobNotFoundError(request.params.id);
      return jobDetail(job, await store.getAudit(job.id));
    },
  );

  r.post(
    '/v1/dead-letters/:id/replay',
    {
      config: { auth: 'admin' },
      schema: {
        ...common,
        summary: 'Replay one dead letter',
        description:
          'Queues the job again with its attempts reset. When a newer version of the same key is queued, running or done, the dead letter is closed as superseded instead (outcome `superseded`): replaying it would write older data.',
        params: idParams,
        response: {
          200: z.object({ outcome: replayOutcome, job: jobSummarySchema }),
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request) => {
      const res = await store.replay(request.params.id, {
        now: clock(),
        actor: actorOf(request.principal),
      });
      request.log.info({ jobId: res.job.id, outcome: res.outcome }, 'dead letter replayed');
      return { outcome: res.outcome, job: jobSummary(res.job) };
    },
  );

  r.post(
    '/v1/dead-letters/replay',
    {
      config: { auth: 'admin' },
      schema: {
        ...common,
        summary: 'Replay dead letters in bulk by filter',
        description:
          'Replays up to `limit` dead letters matching the filter, oldest first. With no filter, `all: true` is required. `dryRun: true` only counts.',
        body: bulkBody,
        response: {
          200: z.object({
            dryRun: z.boolean(),
            matched: z.number().int(),
            requeued: z.number().int(),
            superseded: z.number().int(),
            jobs: z.array(z.object({ id: z.string(), outcome: replayOutcome.or(z.literal('would-replay')) })),
          }),
          400: problemSchema,
        },
      },
    },
    async (request) => {
      const b = request.body;
      const filter = toFilter(b);
      if (Object.keys(filter).length === 0 && b.all !== true) {
        throw new ProblemError({
          status: 400,
          code: 'FILTER_REQUIRED',
          title: 'Filter required',
          detail: 'Give flow, code, since or until — or `all: true` to replay every dead letter.',
        });
      }
      if (b.dryRun) {
        const page = await store.listDeadLetters(filter, { limit: b.limit });
        return {
          dryRun: true,
          matched: page.items.length,
          requeued: 0,
          superseded: 0,
          jobs: page.items.map((j) => ({ id: j.id, outcome: 'would-replay' as const })),
        };
      }
      const results = await store.replayMany(filter, {
        now: clock(),
        actor: actorOf(request.principal),
        limit: b.limit,
      });
      const requeued = results.filter((x) => x.outcome === 'requeued').length;
      request.log.info({ filter, requeued, total: results.length }, 'dead letters replayed in bulk');
      return {
        dryRun: false,
        matched: results.length,
        requeued,
        superseded: results.length - requeued,
        jobs: results.map((x) => ({ id: x.job.id, outcome: x.outcome })),
      };
    },
  );

  r.delete(
    '/v1/dead-letters/:id',
    {
      config: { auth: 'admin' },
      schema: {
        ...common,
        summary: 'Discard a dead letter (kept for audit until JOB_RETENTION_H)',
        params: idParams,
        querystring: z.object({ reason: z.string().min(1).max(1000).optional() }),
        body: z.object({ reason: z.string().min(1).max(1000).optional() }).nullish(),
        response: { 200: jobSummarySchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      const reason = request.body?.reason ?? request.query.reason;
      if (!reason || reason.trim() === '') {
        throw new ProblemError({
          status: 400,
          code: 'REASON_REQUIRED',
          title: 'Reason required',
          detail:
            'Say why the dead letter is discarded (`reason` in the body or the query); it is kept for audit.',
        });
      }
      const job = await store.discard(request.params.id, {
        now: clock(),
        reason: reason.trim(),
        actor: actorOf(request.principal),
      });
      request.log.info({ jobId: job.id }, 'dead letter discarded');
      return jobSummary(job);
    },
  );
}
