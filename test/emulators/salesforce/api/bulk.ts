import type { FastifyInstance } from 'fastify';
import type { EmulatorState } from '../state.js';
import { apiKind } from './route-config.js';

/** Bulk API 2.0 ingest endpoints (Bulk API 2.0 Developer Guide). */
export default async function bulkRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const config = apiKind('bulk');
  type P = { id: string };

  app.post('/services/data/:version/jobs/ingest', { config }, async (req) => {
    const job = state.bulk.create((req.body ?? {}) as Record<string, unknown>);
    return state.bulk.info(job, false);
  });

  app.get('/services/data/:version/jobs/ingest', { config }, async () => ({
    done: true,
    records: state.bulk.list().map((j) => state.bulk.info(j, false)),
    nextRecordsUrl: null,
  }));

  app.put<{ Params: P; Body: string }>(
    '/services/data/:version/jobs/ingest/:id/batches',
    { config },
    async (req, reply) => {
      state.bulk.upload(req.params.id, typeof req.body === 'string' ? req.body : '');
      return reply.code(201).send();
    },
  );

  app.patch<{ Params: P; Body: { state?: string } }>(
    '/services/data/:version/jobs/ingest/:id',
    { config },
    async (req) => {
      return state.bulk.info(state.bulk.setState(req.params.id, req.body?.state), false);
    },
  );

  app.get<{ Params: P }>('/services/data/:version/jobs/ingest/:id', { config }, async (req) => {
    return state.bulk.info(state.bulk.get(req.params.id), true);
  });

  app.delete<{ Params: P }>('/services/data/:version/jobs/ingest/:id', { config }, async (req, reply) => {
    state.bulk.delete(req.params.id);
    return reply.code(204).send();
  });

  for (const kind of ['successfulResults', 'failedResults', 'unprocessedrecords'] as const) {
    app.get<{ Params: P }>(
      `/services/data/:version/jobs/ingest/:id/${kind}`,
      { config },
      async (req, reply) => {
        const csv = state.bulk.results(state.bulk.get(req.params.id), kind);
        return reply.type('text/csv').send(csv);
      },
    );
  }
}
