import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, SfError } from '../errors.js';
import { base62, to18 } from '../ids.js';
import { queryColumns } from '../soql/columns.js';
import { runQuery } from '../soql/evaluate.js';
import type { EmulatorState } from '../state.js';
import { apiKind } from './route-config.js';

/**
 * `GET /query?q=` with `nextRecordsUrl` paging (`/query/01g…-2000`). Batch size is 2000 unless
 * `Sforce-Query-Options: batchSize=n` (200–2000) asks for less. Cursors are snapshots.
 */

const MAX_CURSORS = 500;
let cursorSeq = 0;

function batchSize(req: FastifyRequest): number {
  const header = req.headers['sforce-query-options'];
  const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  const n = m ? Number(m[1]) : 2000;
  return Math.min(2000, Math.max(200, n));
}

export default async function queryRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const config = apiKind('query');

  const page = (locator: string, offset: number, size: number) => {
    const cursor = state.cursors.get(locator);
    if (!cursor) throw new SfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const records = cursor.records.slice(offset, offset + size);
    const end = offset + records.length;
    const done = end >= cursor.records.length;
    if (done) state.cursors.delete(locator);
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done
        ? {}
        : { nextRecordsUrl: `/services/data/v${state.options.apiVersion}/query/${locator}-${end}` }),
      records,
    };
  };

  const handler = async (req: FastifyRequest<{ Querystring: { q?: string; columns?: string } }>) => {
    const q = req.query.q;
    if (!q) throw new SfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = runQuery(state.store, q, state.options.apiVersion);
    if (req.query.columns === 'true') return queryColumns(q);
    const size = batchSize(req);
    if (result.records.length <= size)
      return { totalSize: result.totalSize, done: true, records: result.records };
    const locator = to18(`01g${'Dn'}${base62(++cursorSeq, 10)}`);
    state.cursors.set(locator, { records: result.records, totalSize: result.totalSize });
    if (state.cursors.size > MAX_CURSORS) state.cursors.delete(state.cursors.keys().next().value!);
    return page(locator, 0, size);
  };
  app.get('/services/data/:version/query', { config }, handler);
  app.get('/services/data/:version/queryAll', { config }, handler);

  app.get<{ Params: { locator: string } }>(
    '/services/data/:version/query/:locator',
    { config },
    async (req) => {
      const m = /^(.+)-(\d+)$/.exec(req.params.locator);
      if (!m) throw notFound();
      return page(m[1]!, Number(m[2]), batchSize(req));
    },
  );
}
