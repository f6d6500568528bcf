/**
 * `GET /v1/ping`: an authenticated no-op. Admins use it to test the Named Credential from
 * Salesforce ("does my callout authenticate?") before any flow is switched on.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

export default async function pingRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/ping',
    {
      // Any caller with a credential: each Salesforce credential, a dev key, an operator key.
      config: { auth: ['widget', 'callout', 'admin'] },
      schema: {
        tags: ['diagnostics'],
        summary: 'Authenticated probe: who am I to the proxy?',
        security: [{ bearer: [] }],
        response: {
          200: z.object({
            status: z.literal('ok'),
            principal: z.enum(['salesforce', 'dev-key', 'admin']),
            subject: z.string().optional(),
            requestId: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return {
        status: 'ok' as const,
        principal: principal.kind,
        ...(principal.kind === 'salesforce' && principal.subject ? { subject: principal.subject } : {}),
        requestId: String(request.id),
      };
    },
  );
}
