/**
 * `GET /v1/doctor` (admin): every check of `doctor` (configuration, Entra, F&O, Salesforce, the
 * proxy, the package) against the running proxy's own connections. 200 with the report whether
 * checks pass or fail (`ok` says which); a doctor that cannot run answers problem+json.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHECK_GROUPS, runDoctor, type DoctorDeps } from '../../flows/doctor/index.js';
import { problemSchema } from './job-schemas.js';

const checkSchema = z.object({
  group: z.enum(CHECK_GROUPS),
  id: z.string(),
  status: z.enum(['pass', 'fail', 'info']),
  verdict: z.string(),
  fix: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export const doctorReportSchema = z.object({
  ok: z.boolean().describe('true when no check failed'),
  checkedAt: z.string(),
  summary: z.object({ pass: z.number().int(), fail: z.number().int(), info: z.number().int() }),
  checks: z.array(checkSchema),
});

export default async function doctorRoutes(app: FastifyInstance, opts: { deps: DoctorDeps }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/doctor',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['operations'],
        summary:
          'Check configuration, Entra, F&O, Salesforce (field-level security), the store and the package',
        security: [{ admin: [] }],
        response: { 200: doctorReportSchema, 401: problemSchema, 500: problemSchema, 503: problemSchema },
      },
    },
    async () => runDoctor(opts.deps),
  );
}
