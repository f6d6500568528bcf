/**
 * Admin routes of reconciliation (docs/reconciliation.md):
 *   POST /v1/reconcile               { flow?, company?, repair?, dryRun? }
 *   GET  /v1/reconcile/reports       the kept reports, newest first
 *   GET  /v1/reconcile/reports/:id   one report
 * A dry run answers 200 with its report (and keeps it); a real run is queued (202 with its job
 * id) and its report appears in the list when it is done.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ReconcileReport,
  ReconcileRequest,
  ReportSummary,
  type Reconciler,
} from '../../flows/reconcile/index.js';
import { problemSchema } from './job-schemas.js';

export default async function reconcileRoutes(
  app: FastifyInstance,
  opts: { reconciler: Reconciler },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/reconcile',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Compare Salesforce with F&O per flow and company; repair what is safe to repair',
        description:
          'Counts on both sides, records missing on either side, mapped fields that differ, records in the wrong company and records left Pending. `repair` sends what is missing or different through the normal flows again; `dryRun` answers at once with the report and changes nothing; otherwise the run is queued.',
        security: [{ admin: [] }],
        body: ReconcileRequest.default({ repair: false, dryRun: false }),
        response: {
          200: ReconcileReport,
          202: z.object({ jobId: z.string(), outcome: z.string() }),
          400: problemSchema,
          401: problemSchema,
          503: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const result = await opts.reconciler.request(request.body);
      return reply.code('jobId' in result ? 202 : 200).send(result);
    },
  );
  r.get(
    '/v1/reconcile/reports',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'The kept reconciliation reports (RECONCILE_HISTORY), newest first',
        security: [{ admin: [] }],
        response: {
          200: z.object({ items: z.array(ReportSummary) }),
          401: problemSchema,
          503: problemSchema,
        },
      },
    },
    async () => ({ items: await opts.reconciler.list() }),
  );
  r.get(
    '/v1/reconcile/reports/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'One reconciliation report',
        security: [{ admin: [] }],
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 200: ReconcileReport, 401: problemSchema, 404: problemSchema, 503: problemSchema },
      },
    },
    async (request) => opts.reconciler.get(request.params.id),
  );
}
