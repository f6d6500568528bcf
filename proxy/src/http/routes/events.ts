/**
 * POST /v1/events/d365/:key — where F&O's HTTPS business-event endpoint delivers. That endpoint
 * sends no headers of its own, so the URL (kept in the customer's Key Vault) carries the
 * credential: `:key` is checked by the access hook against D365_EVENT_KEYS, and the path is
 * redacted wherever it is written down (logs, problem bodies; metrics use the route pattern).
 *
 * The body is read as text: the envelope's Int64 `ControlNumber` must keep every digit, which
 * `JSON.parse` of the whole body would not. The answer comes once the event is durable (202),
 * in milliseconds; the invoice work runs from the queue.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBusinessEvent } from '../../flows/invoices/envelope.js';
import type { EventIntake } from '../../flows/invoices/intake.js';

const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .loose();

export default async function eventRoutes(
  app: FastifyInstance,
  opts: { intake: EventIntake },
): Promise<void> {
  // Scoped to this plugin: every body here is kept as the text F&O sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/v1/events/d365/:key',
    {
      config: { auth: 'events' },
      schema: {
        tags: ['events'],
        summary: 'Receive an F&O business event (HTTPS endpoint)',
        description:
          'The path key (one of D365_EVENT_KEYS) is the credential. The F&O test message gets a 200; a posted invoice is stored as a job before the 202; a redelivered or older event for the same invoice is a 202 that changes nothing; other events are accepted and counted.',
        params: z.object({ key: z.string() }),
        response: {
          200: z.object({ outcome: z.literal('test') }),
          202: z.object({ outcome: z.string(), jobId: z.string().optional() }),
          400: problem,
          401: problem,
          503: problem,
        },
      },
    },
    async (request, reply) => {
      const text = typeof request.body === 'string' ? request.body : '';
      const result = await opts.intake.accept(parseBusinessEvent(text));
      return reply.code(result.outcome === 'test' ? 200 : 202).send(result);
    },
  );
}
