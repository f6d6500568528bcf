import type { FastifyInstance } from 'fastify';
import { SfError } from '../errors.js';
import type { SfRecord } from '../data/store.js';
import type { EmulatorState } from '../state.js';
import { objectOr404, toApiRecord } from './sobjects.js';
import { apiKind } from './route-config.js';

/**
 * sObject Collections (REST API Developer Guide, "sObject Collections"): create, update, upsert by External ID, retrieve and
 * delete, at most 200 records, in order. Per-record errors use `statusCode` (not `errorCode`)
 * as the real API does in SaveResult/UpsertResult.
 */

const MAX = 200;

interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

interface SaveResult {
  id?: string | null;
  success: boolean;
  errors: RecordError[];
  created?: boolean;
}

interface Body {
  allOrNone?: boolean;
  records?: SfRecord[];
}

const ROLLED_BACK: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

function toRecordError(err: unknown): RecordError {
  if (err instanceof SfError) return { statusCode: err.errorCode, message: err.message, fields: err.fields };
  throw err;
}

function checkBody(body: unknown): { allOrNone: boolean; records: SfRecord[] } {
  const b = (body ?? {}) as Body;
  if (!Array.isArray(b.records))
    throw new SfError(400, 'JSON_PARSER_ERROR', 'records is required and must be an array');
  if (b.records.length > MAX) {
    throw new SfError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX} records into this call`,
    );
  }
  return { allOrNone: b.allOrNone === true, records: b.records };
}

/** Runs each record; with allOrNone, any failure rolls all back and marks the others. */
function runAll(
  state: EmulatorState,
  allOrNone: boolean,
  records: SfRecord[],
  one: (record: SfRecord) => SaveResult,
): SaveResult[] {
  return state.store.transaction(() => {
    const results = records.map((r) => {
      try {
        return one(r);
      } catch (err) {
        return { id: null, success: false, errors: [toRecordError(err)] } as SaveResult;
      }
    });
    if (allOrNone && results.some((r) => !r.success)) {
      state.store.rollback();
      return results.map((r) =>
        r.success
          ? {
              id: r.created ? null : r.id,
              success: false,
              errors: [ROLLED_BACK],
              ...(r.created !== undefined ? { created: r.created } : {}),
            }
          : r,
      );
    }
    return results;
  });
}

function typeOf(record: SfRecord): string {
  const t = (record.attributes as { type?: unknown } | undefined)?.type;
  if (typeof t !== 'string') throw new SfError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
  return t;
}

export default async function collectionRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const config = apiKind('collections');

  app.post('/services/data/:version/composite/sobjects', { config }, async (req) => {
    const { allOrNone, records } = checkBody(req.body);
    return runAll(state, allOrNone, records, (r) => {
      const def = objectOr404(state, typeOf(r));
      if (def.kind === 'event') return { id: state.store.publish(def, r), success: true, errors: [] };
      return { id: state.store.create(def, r).Id as string, success: true, errors: [] };
    });
  });

  app.patch('/services/data/:version/composite/sobjects', { config }, async (req) => {
    const { allOrNone, records } = checkBody(req.body);
    return runAll(state, allOrNone, records, (r) => {
      const def = objectOr404(state, typeOf(r));
      const id = (r.id ?? r.Id) as string | undefined;
      if (!id) throw new SfError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
      const { id: _a, Id: _b, ...rest } = r;
      return { id: state.store.update(def, id, rest).Id as string, success: true, errors: [] };
    });
  });

  app.patch<{ Params: { object: string; field: string } }>(
    '/services/data/:version/composite/sobjects/:object/:field',
    { config },
    async (req) => {
      const def = objectOr404(state, req.params.object);
      const f = state.store.externalIdField(def, req.params.field);
      const { allOrNone, records } = checkBody(req.body);
      // Salesforce refuses the same External ID twice in one request.
      const seen = new Map<string, number>();
      for (const r of records) {
        const key = String(
          Object.entries(r).find(([k]) => k.toLowerCase() === f.name.toLowerCase())?.[1] ?? '',
        ).toLowerCase();
        if (key) seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      return runAll(state, allOrNone, records, (r) => {
        if (typeOf(r).toLowerCase() !== def.name.toLowerCase()) {
          throw new SfError(400, 'INVALID_TYPE', `Record type ${typeOf(r)} does not match ${def.name}`);
        }
        const entry = Object.entries(r).find(([k]) => k.toLowerCase() === f.name.toLowerCase());
        const value = entry?.[1];
        if (value === undefined || value === null || value === '') {
          throw new SfError(400, 'MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
        }
        if ((seen.get(String(value).toLowerCase()) ?? 0) > 1) {
          throw new SfError(
            400,
            'DUPLICATE_EXTERNAL_ID',
            `Duplicate external id specified: ${String(value)}`,
            [f.name],
          );
        }
        try {
          const { record, created } = state.store.upsert(def, f, value, r);
          return { id: record.Id as string, success: true, errors: [], created };
        } catch (err) {
          if (err instanceof SfError && err.status === 300) {
            throw new SfError(
              400,
              'DUPLICATE_EXTERNAL_ID',
              `Duplicate external id specified: ${String(value)}`,
              [f.name],
            );
          }
          throw err;
        }
      });
    },
  );

  app.get<{ Params: { object: string }; Querystring: { ids?: string; fields?: string } }>(
    '/services/data/:version/composite/sobjects/:object',
    { config },
    async (req) => {
      const def = objectOr404(state, req.params.object);
      const ids = (req.query.ids ?? '').split(',').filter(Boolean);
      if (ids.length > 2000)
        throw new SfError(
          400,
          'EXCEEDED_ID_LIMIT',
          'record limit reached. cannot submit more than 2000 records into this call',
        );
      const fields = (req.query.fields ?? '').split(',').filter(Boolean);
      if (!fields.length) throw new SfError(400, 'MISSING_ARGUMENT', 'fields is required');
      return ids.map((id) => {
        const r = state.store.get(def, id);
        return r ? toApiRecord(state, def, r, fields) : null;
      });
    },
  );

  app.delete<{ Querystring: { ids?: string; allOrNone?: string } }>(
    '/services/data/:version/composite/sobjects',
    { config },
    async (req) => {
      const ids = (req.query.ids ?? '').split(',').filter(Boolean);
      if (ids.length > MAX)
        throw new SfError(
          400,
          'EXCEEDED_ID_LIMIT',
          `record limit reached. cannot submit more than ${MAX} records into this call`,
        );
      return runAll(
        state,
        req.query.allOrNone === 'true',
        ids.map((id) => ({ Id: id })),
        (r) => {
          const hit = state.store.getById(r.Id as string);
          if (!hit) throw new SfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
          state.store.delete(hit.def, r.Id as string);
          return { id: hit.record.Id as string, success: true, errors: [] };
        },
      );
    },
  );
}
