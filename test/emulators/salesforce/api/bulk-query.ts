import type { FastifyInstance } from 'fastify';
import type { EmulatorState } from '../state.js';
import { apiKind } from './route-config.js';

/** Bulk API 2.0 query endpoints (`/jobs/query`), used by `sf data export bulk`. */
export default async function bulkQueryRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const config = apiKind('bulk');
  type P = { id: string };

  app.post('/services/data/:version/jobs/query', { config }, async (req) => {
    const job = state.bulkQuery.create((req.body ?? {}) as Record<string, unknown>);
    return state.bulkQuery.info(job, false);
  });

  app.get('/services/data/:version/jobs/query', { config }, async () => ({
    done: true,
    records: state.bulkQuery.list().map((j) => state.bulkQuery.info(j, false)),
    nextRecordsUrl: null,
  }));

  app.get<{ Params: P }>('/services/data/:version/jobs/query/:id', { config }, async (req) =>
    state.bulkQuery.info(state.bulkQuery.get(req.params.id), true),
  );

  app.patch<{ Params: P; Body: { state?: string } }>(
    '/services/data/:version/jobs/query/:id',
    { config },
    async (req) => state.bulkQuery.info(state.bulkQuery.abort(req.params.id, req.body?.state), false),
  );

  app.delete<{ Params: P }>('/services/data/:version/jobs/query/:id', { config }, async (req, reply) => {
    state.bulkQuery.delete(req.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: P; Querystring: { locator?: string; maxRecords?: string } }>(
    '/services/data/:version/jobs/query/:id/results',
    { config },
    async (req, reply) => {
      const job = state.bulkQuery.get(req.params.id);
      const page = state.bulkQuery.results(job, req.query.locator, req.query.maxRecords);
      return reply
        .type('text/csv')
        .header('Sforce-Locator', page.next)
        .header('Sforce-NumberOfRecords', String(page.count))
        .send(page.csv);
    },
  );
}
