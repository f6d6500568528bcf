import type { FastifyInstance } from 'fastify';
import { notFound, SfError } from '../errors.js';
import { normalizeId } from '../ids.js';
import type { SfRecord } from '../data/store.js';
import type { ObjectDef } from '../metadata/types.js';
import type { EmulatorState } from '../state.js';
import { describeGlobalEntry, describeObject } from './describe.js';
import { apiKind } from './route-config.js';

type P = { version: string; object: string; id: string; field: string; value: string };

/** A record as REST returns it: attributes, then every visible field (null when unset). */
export function toApiRecord(
  state: EmulatorState,
  def: ObjectDef,
  record: SfRecord,
  fields?: string[],
): SfRecord {
  const out: SfRecord = {
    attributes: {
      type: def.name,
      url: `/services/data/v${state.options.apiVersion}/sobjects/${def.name}/${String(record.Id)}`,
    },
  };
  const wanted = fields
    ? fields.map((name) => {
        const f = state.schema.visibleField(def, name);
        if (!f)
          throw new SfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`);
        return f;
      })
    : state.schema.visibleFields(def);
  for (const f of wanted) out[f.name] = record[f.name] ?? null;
  return out;
}

export function objectOr404(state: EmulatorState, name: string): ObjectDef {
  const def = state.schema.object(name);
  if (!def) throw notFound();
  return def;
}

export default async function sobjectRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const v = () => state.options.apiVersion;
  const sobject = apiKind('sobject');
  const describe = apiKind('describe');

  app.get('/services/data/:version/sobjects', { config: describe }, async () => ({
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: state.schema.allObjects().map((d) => describeGlobalEntry(d, v())),
  }));

  app.get<{ Params: P }>('/services/data/:version/sobjects/:object', { config: describe }, async (req) => {
    const def = objectOr404(state, req.params.object);
    return { objectDescribe: describeGlobalEntry(def, v()), recentItems: [] };
  });

  app.get<{ Params: P }>(
    '/services/data/:version/sobjects/:object/describe',
    { config: describe },
    async (req) => {
      return describeObject(state.schema, objectOr404(state, req.params.object), v());
    },
  );

  // Create, or publish when the object is a platform event (`__e`).
  app.post<{ Params: P; Body: SfRecord }>(
    '/services/data/:version/sobjects/:object',
    { config: apiKind((req) => ((req.params as P).object.endsWith('__e') ? 'event' : 'sobject')) },
    async (req, reply) => {
      const def = objectOr404(state, req.params.object);
      const body = requireObject(req.body);
      if (def.kind === 'event') {
        const id = state.store.publish(def, body);
        return reply.code(201).send({ id, success: true, errors: [] });
      }
      const record = state.store.create(def, body);
      return reply.code(201).send({ id: record.Id, success: true, errors: [] });
    },
  );

  app.get<{ Params: P; Querystring: { fields?: string } }>(
    '/services/data/:version/sobjects/:object/:id',
    { config: sobject },
    async (req) => {
      const def = objectOr404(state, req.params.object);
      const record = state.store.get(def, req.params.id);
      if (!record) throw notFound();
      return toApiRecord(
        state,
        def,
        record,
        req.query.fields
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    },
  );

  app.patch<{ Params: P; Body: SfRecord }>(
    '/services/data/:version/sobjects/:object/:id',
    { config: sobject },
    async (req, reply) => {
      const def = objectOr404(state, req.params.object);
      if (!normalizeId(req.params.id))
        throw notFound(`Provided external ID field does not exist or is not accessible: ${req.params.id}`);
      state.store.update(def, req.params.id, requireObject(req.body));
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: P }>(
    '/services/data/:version/sobjects/:object/:id',
    { config: sobject },
    async (req, reply) => {
      const def = objectOr404(state, req.params.object);
      state.store.delete(def, req.params.id);
      return reply.code(204).send();
    },
  );

  // By External ID: read and upsert.
  app.get<{ Params: P }>(
    '/services/data/:version/sobjects/:object/:field/:value',
    { config: sobject },
    async (req, reply) => {
      const def = objectOr404(state, req.params.object);
      const f = state.store.externalIdField(def, req.params.field);
      const matches = state.store.findBy(def, f, req.params.value);
      if (matches.length === 0) throw notFound();
      if (matches.length > 1) return reply.code(300).send(matches.map((m) => recordUrl(state, def, m)));
      return toApiRecord(state, def, matches[0]!);
    },
  );

  app.patch<{ Params: P; Body: SfRecord; Querystring: { updateOnly?: string } }>(
    '/services/data/:version/sobjects/:object/:field/:value',
    { config: apiKind('upsert') },
    async (req, reply) => {
      const def = objectOr404(state, req.params.object);
      const f = state.store.externalIdField(def, req.params.field);
      try {
        const { record, created } = state.store.upsert(def, f, req.params.value, requireObject(req.body), {
          updateOnly: req.query.updateOnly === 'true',
        });
        return reply.code(created ? 201 : 200).send({ id: record.Id, success: true, errors: [], created });
      } catch (err) {
        const matches = (err as { matches?: SfRecord[] }).matches;
        if (err instanceof SfError && err.status === 300 && matches) {
          return reply.code(300).send(matches.map((m) => recordUrl(state, def, m)));
        }
        throw err;
      }
    },
  );
}

function recordUrl(state: EmulatorState, def: ObjectDef, record: SfRecord): string {
  return `/services/data/v${state.options.apiVersion}/sobjects/${def.name}/${String(record.Id)}`;
}

export function requireObject(body: unknown): SfRecord {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new SfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return body as SfRecord;
}
