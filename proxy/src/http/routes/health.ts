/**
 * `/healthz`: the process is alive (no dependency is called — a liveness probe must not fail
 * because F&O is down, or the orchestrator restarts a healthy proxy).
 * `/readyz`: every dependency answers; 503 with per-check detail otherwise.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { runReadiness, type ReadinessCheck } from '../readiness.js';

const readinessBody = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.unknown().optional() })),
});

export default async function healthRoutes(
  app: FastifyInstance,
  opts: { checks: Record<string, ReadinessCheck>; version: string },
): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok'), version: z.string(), uptimeS: z.number() }) },
      },
    },
    async () => ({ status: 'ok' as const, version: opts.version, uptimeS: Math.round(process.uptime()) }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: store and upstreams answer',
        response: { 200: readinessBody, 503: readinessBody },
      },
    },
    async (_request, reply) => {
      const result = await runReadiness(opts.checks);
      return reply
        .code(result.ok ? 200 : 503)
        .send({ status: result.ok ? ('ready' as const) : ('not-ready' as const), checks: result.checks });
    },
  );
}
