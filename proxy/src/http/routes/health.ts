/**
 * `/healthz`: the process is alive (no dependency is called — a liveness probe must not fail
 * because F&O is down, or the orchestrator restarts a healthy proxy). Public; says only "ok".
 * `/readyz`: every dependency answers; 503 otherwise. Public answer: the status code and one
 * word. With an admin key it also says each check's detail (token state, instance URL,
 * governor…), which would tell a stranger what the proxy talks to.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { runReadiness, type ReadinessCheck } from '../readiness.js';

const readinessBody = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z
    .record(z.string(), z.object({ ok: z.boolean(), detail: z.unknown().optional() }))
    .optional()
    .describe('Per-check detail: only for an admin key (Authorization: Bearer <ADMIN_API_KEYS key>).'),
});

export default async function healthRoutes(
  app: FastifyInstance,
  opts: { checks: Record<string, ReadinessCheck> },
): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: 'public', identify: ['admin'] },
      schema: {
        tags: ['health'],
        summary: 'Readiness: store and upstreams answer (detail for admins)',
        security: [{}, { admin: [] }],
        response: { 200: readinessBody, 503: readinessBody },
      },
    },
    async (request, reply) => {
      const result = await runReadiness(opts.checks);
      const status = result.ok ? ('ready' as const) : ('not-ready' as const);
      const admin = request.principal?.kind === 'admin';
      return reply.code(result.ok ? 200 : 503).send(admin ? { status, checks: result.checks } : { status });
    },
  );
}
