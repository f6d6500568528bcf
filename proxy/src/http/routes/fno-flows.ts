/**
 * Admin routes of the F&O → Salesforce flows, one per entry of `FNO_TO_SALESFORCE`
 * (`flows/sync/registry.ts`):
 *   POST /v1/flows/<flow>/run   { company?, full?, dryRun? }
 * A dry run answers 200 with the counts and the first changes it would write; a real run is
 * queued (202 with its job id; `GET /v1/jobs/<id>` follows it).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FnoRunRequest, type FnoFlows } from '../../flows/fno-flows.js';

const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .loose();

const dryRunResult = z.object({
  flow: z.string(),
  dryRun: z.literal(true),
  counts: z.record(z.string(), z.number()),
  changes: z.array(z.record(z.string(), z.unknown())).optional(),
});

export default async function fnoFlowRoutes(app: FastifyInstance, opts: { fno: FnoFlows }): Promise<void> {
  for (const flow of opts.fno.flows) {
    app.post(
      `/v1/flows/${flow.flow}/run`,
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['flows'],
          summary: `Run now: ${flow.summary}`,
          description: `Reads ${flow.entities.join(', ')} from F&O and writes ${flow.sobjects.join(', ')} in Salesforce. \`dryRun\` answers with what would change and writes nothing; otherwise the run is queued and its job id returned.`,
          security: [{ bearer: [] }],
          body: FnoRunRequest.default({ full: false, dryRun: false }),
          response: {
            200: dryRunResult,
            202: z.object({ flow: z.string(), jobId: z.string(), outcome: z.string() }),
            400: problem,
            503: problem,
          },
        },
      },
      async (request, reply) => {
        const result = await opts.fno.request(flow.flow, request.body as FnoRunRequest);
        return reply.code('jobId' in result ? 202 : 200).send(result);
      },
    );
  }
}
