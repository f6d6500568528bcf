/**
 * Inbound sync routes used by the Salesforce package, one per entry of the flow registry
 * (`flows/sync/registry.ts`):
 *   POST /v1/sync/accounts   Account  → F&O customer
 *   POST /v1/sync/contacts   Contact  → F&O contact person
 *   POST /v1/orders          Opportunity (Closed Won, with line items) → F&O sales order
 * Each answers 202 with a result per record once every accepted record is durable. The body's
 * `record` is the shape the OpenAPI document shows; the door itself checks only Id and
 * SystemModstamp.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { documentedRecord } from '../../flows/intake/record-schemas.js';
import {
  acceptRecords,
  MAX_RECORDS,
  recordsEnvelope,
  recordsEnvelopeOf,
} from '../../flows/intake/salesforce-records.js';
import { SALESFORCE_TO_FNO } from '../../flows/sync/registry.js';
import type { JobQueue } from '../../jobs/index.js';

const resultSchema = z.discriminatedUnion('status', [
  z.object({
    id: z.string().nullable(),
    status: z.literal('accepted'),
    jobId: z.string(),
    outcome: z.string().describe('enqueued, duplicate, superseded-older, queued-behind or stale'),
  }),
  z.object({
    id: z.string().nullable(),
    status: z.literal('rejected'),
    code: z.string(),
    reason: z.string(),
  }),
]);

const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .loose();

export default async function syncRoutes(app: FastifyInstance, opts: { queue: JobQueue }): Promise<void> {
  for (const route of SALESFORCE_TO_FNO) {
    app.post(
      route.path,
      {
        config: { auth: 'callout' },
        schema: {
          tags: ['sync'],
          summary: route.summary,
          description: `Body: { records: [...] } — up to ${MAX_RECORDS} ${route.sobject} records as Apex JSON.serialize writes them (Id and SystemModstamp required). Every accepted record is stored durably before the 202; per-record results say accepted (with its job id) or rejected (with a reason).`,
          security: [{ bearer: [] }],
          body: recordsEnvelopeOf(documentedRecord(route.record)),
          response: {
            202: z.object({ results: z.array(resultSchema) }),
            400: problem,
            413: problem,
            503: problem,
          },
        },
      },
      async (request, reply) => {
        const { records } = request.body as z.output<typeof recordsEnvelope>;
        // Store down or full, a record too large: acceptRecords throws, nothing of this call was accepted.
        const results = await acceptRecords(opts.queue, route.flow, route.sobject, records);
        return reply.code(202).send({ results });
      },
    );
  }
}
