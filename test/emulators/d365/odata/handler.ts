/**
 * One OData request → one response, independent of Fastify so `$batch` parts run through exactly the
 * same code as stand-alone requests. Synchronous: the store is in memory.
 */
import { entityBySet, ENTITY_DEFS } from '../entities/index.js';
import type { Row } from '../entities/schema.js';
import type { EntityDef, WriteContext } from '../entities/types.js';
import type { Store } from '../store.js';
import { etagOf } from '../store.js';
import { ODataError, notFoundSegment, plainError } from './errors.js';
import { formatKey, parseKeyPredicate } from './keys.js';
import { contextSuffix, parseQueryOptions, queryRows, serialiseRow } from './query.js';
import { createEntity, deleteEntity, findByKey, updateEntity } from './write.js';
import { metadataDocument } from './metadata.js';

export const JSON_TYPE = 'application/json; odata.metadata=minimal';

export interface ODataRequest {
  method: string;
  /** Absolute URL; its origin is the base used in @odata.context and links. */
  url: URL;
  headers: Record<string, string | undefined>;
  body: string | undefined;
}

export interface ODataResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Entity set addressed (for counters and fault matching). */
  entitySet?: string;
  /** For a 201: the created entity's URL (used by $batch `$<Content-ID>` references). */
  location?: string;
}

export type ActionHandler = (set: string, action: string, body: unknown, req: ODataRequest) => ODataResponse;

export interface ODataEnv {
  store: Store;
  company: string;
  pageSize: number;
  now(): Date;
  action?: ActionHandler;
}

interface ParsedPath {
  set: string;
  keyText?: string;
  rest?: string;
}

/** `/CustomersV3(dataAreaId='usmf',CustomerAccount='A)B')/$count` → parts (quote-aware). */
export function parsePath(path: string): ParsedPath | undefined {
  const m = /^\/([A-Za-z_$][\w$]*)/.exec(path);
  if (!m) return undefined;
  const set = m[1]!;
  let i = m[0].length;
  let keyText: string | undefined;
  if (path[i] === '(') {
    let j = i + 1;
    let inQuote = false;
    for (; j < path.length; j++) {
      const ch = path[j];
      if (ch === "'") {
        if (inQuote && path[j + 1] === "'") {
          j++;
          continue;
        }
        inQuote = !inQuote;
      } else if (ch === ')' && !inQuote) break;
    }
    if (j >= path.length) return undefined;
    keyText = path.slice(i + 1, j);
    i = j + 1;
  }
  const rest = path.slice(i);
  return { set, ...(keyText !== undefined ? { keyText } : {}), ...(rest ? { rest } : {}) };
}

function json(status: number, body: unknown, extra: Record<string, string> = {}): ODataResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'odata-version': '4.0', ...extra },
    body: JSON.stringify(body),
  };
}

export function errorResponse(err: unknown): ODataResponse {
  if (err instanceof ODataError) return json(err.status, err.body, err.headers);
  const message = err instanceof Error ? err.message : String(err);
  return json(500, {
    error: {
      code: '',
      message: 'An error has occurred.',
      innererror: { message, type: 'System.Exception', stacktrace: '' },
    },
  });
}

export function parseJsonBody(body: string | undefined): unknown {
  if (!body || body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw plainError(400, 'The request body is not valid JSON: Does not conform to the OData JSON format.');
  }
}

export function handleOData(env: ODataEnv, req: ODataRequest): ODataResponse {
  try {
    return route(env, req);
  } catch (err) {
    let set: string | undefined;
    try {
      set = parsePath(decodeURIComponent(req.url.pathname.replace(/^\/data/, '')))?.set;
    } catch {
      set = undefined;
    }
    const res = errorResponse(err);
    return set && entityBySet(set) ? { ...res, entitySet: set } : res;
  }
}

function route(env: ODataEnv, req: ODataRequest): ODataResponse {
  const base = `${req.url.origin}/data`;
  let path: string;
  try {
    path = decodeURIComponent(req.url.pathname.replace(/^\/data/, ''));
  } catch {
    throw plainError(400, 'The request URI is not valid.');
  }
  if (path === '' || path === '/') {
    return json(200, {
      '@odata.context': `${base}/$metadata`,
      value: ENTITY_DEFS.map((d) => ({ name: d.set, kind: 'EntitySet', url: d.set })),
    });
  }
  if (path === '/$metadata') {
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', 'odata-version': '4.0' },
      body: metadataDocument(),
    };
  }
  const parsed = parsePath(path);
  if (!parsed) throw notFoundSegment(path.slice(1));
  const method = req.method.toUpperCase();

  if (parsed.rest?.startsWith('/Microsoft.Dynamics.DataEntities.') && parsed.keyText === undefined) {
    const action = parsed.rest.slice('/Microsoft.Dynamics.DataEntities.'.length);
    if (method !== 'POST' || !env.action) throw notFoundSegment(`Microsoft.Dynamics.DataEntities.${action}`);
    return { ...env.action(parsed.set, action, parseJsonBody(req.body), req), entitySet: parsed.set };
  }

  const def = entityBySet(parsed.set);
  if (!def) throw notFoundSegment(parsed.set);
  const ctx: WriteContext = { store: env.store, company: env.company, now: env.now() };
  const query = req.url.searchParams;
  const crossCompany = query.get('cross-company')?.toLowerCase() === 'true';
  const result = (r: ODataResponse): ODataResponse => ({ ...r, entitySet: def.set });

  if (parsed.keyText === undefined) {
    if (parsed.rest === '/$count' && method === 'GET') {
      const options = parseQueryOptions(def, query, entityBySet);
      const n = queryRows(def, env.store, env.company, options).length;
      return result({
        status: 200,
        headers: { 'content-type': 'text/plain', 'odata-version': '4.0' },
        body: String(n),
      });
    }
    if (parsed.rest) throw notFoundSegment(parsed.rest.slice(1));
    if (method === 'GET') return result(list(env, def, req, base));
    if (method === 'POST') {
      if (!def.writable) throw readOnlyError(def);
      const row = createEntity(def, parseJsonBody(req.body), ctx);
      const location = `${base}/${def.set}(${formatKey(def, row)})`;
      return result({
        ...json(
          201,
          {
            '@odata.context': `${base}/$metadata#${def.set}/$entity`,
            ...serialiseRow(def, row, env.store, undefined, [], entityBySet),
          },
          {
            location,
            etag: etagOf(row),
          },
        ),
        location,
      });
    }
    throw plainError(405, `The requested resource does not support http method '${method}'.`);
  }

  const key = parseKeyPredicate(def, parsed.keyText);
  const segment = def.set;
  if (def.companyScoped && !crossCompany && String(key.dataAreaId).toLowerCase() !== env.company) {
    // Another company's key without cross-company=true is not visible (reference §2, [INF] default).
    throw notFoundSegment(segment);
  }
  const ifMatch = req.headers['if-match'];
  const navName = parsed.rest?.slice(1);
  const nav = navName ? def.navigation[navName] : undefined;
  if (method === 'POST' && nav?.multiple) {
    // POST Parent(keys)/Children: the child inherits the join fields (used with $1/SalesOrderLines in $batch).
    const parent = findByKey(def, ctx, key, segment);
    const target = entityBySet(nav.target)!;
    if (!target.writable) throw readOnlyError(target);
    const body = parseJsonBody(req.body) as Row;
    const joined: Row = { ...body, ...(target.companyScoped ? { dataAreaId: parent.dataAreaId } : {}) };
    for (const [from, to] of nav.on) joined[to] = parent[from];
    const row = createEntity(target, joined, ctx);
    const location = `${base}/${target.set}(${formatKey(target, row)})`;
    return {
      ...json(
        201,
        {
          '@odata.context': `${base}/$metadata#${target.set}/$entity`,
          ...serialiseRow(target, row, env.store, undefined, [], entityBySet),
        },
        { location, etag: etagOf(row) },
      ),
      location,
      entitySet: target.set,
    };
  }
  switch (method) {
    case 'GET': {
      const row = findByKey(def, ctx, key, segment);
      if (parsed.rest) {
        const prop = parsed.rest.slice(1);
        if (!def.schema.fields.has(prop)) throw notFoundSegment(prop);
        return result(
          json(200, {
            '@odata.context': `${base}/$metadata#${def.set}(${formatKey(def, row)})/${prop}`,
            value: row[prop],
          }),
        );
      }
      const options = parseQueryOptions(def, query, entityBySet);
      return result(
        json(
          200,
          {
            '@odata.context': `${base}/$metadata#${def.set}${contextSuffix(options)}/$entity`,
            ...serialiseRow(def, row, env.store, options.select, options.expand, entityBySet),
          },
          { etag: etagOf(row) },
        ),
      );
    }
    case 'PATCH':
    case 'PUT':
    case 'MERGE': {
      if (!def.writable) throw readOnlyError(def);
      updateEntity(def, key, parseJsonBody(req.body), ctx, segment, ifMatch);
      return result({ status: 204, headers: { 'odata-version': '4.0' }, body: '' });
    }
    case 'DELETE': {
      if (!def.writable) throw readOnlyError(def);
      deleteEntity(def, key, ctx, segment, ifMatch);
      return result({ status: 204, headers: { 'odata-version': '4.0' }, body: '' });
    }
    default:
      throw plainError(405, `The requested resource does not support http method '${method}'.`);
  }
}

function readOnlyError(def: EntityDef): ODataError {
  // Wording [INF]: F&O rejects writes to read-only entities; the exact text was not found.
  return plainError(
    400,
    `Entity '${def.typeName}' is read-only: insert, update and delete operations are not allowed.`,
  );
}

function list(env: ODataEnv, def: EntityDef, req: ODataRequest, base: string): ODataResponse {
  const options = parseQueryOptions(def, req.url.searchParams, entityBySet);
  const rows = queryRows(def, env.store, env.company, options);
  const start = options.skip;
  const wanted = options.top === undefined ? rows.length - start : Math.min(options.top, rows.length - start);
  const take = Math.max(0, Math.min(wanted, env.pageSize));
  const page = rows.slice(start, start + take);
  const body: Row = { '@odata.context': `${base}/$metadata#${def.set}${contextSuffix(options)}` };
  if (options.count) body['@odata.count'] = rows.length;
  body.value = page.map((r) => serialiseRow(def, r, env.store, options.select, options.expand, entityBySet));
  if (take < wanted) {
    // F&O's nextLink is $skip-based (reference §2): same query, $skip advanced, $top reduced.
    const next = new URLSearchParams(req.url.searchParams);
    next.set('$skip', String(start + take));
    if (options.top !== undefined) next.set('$top', String(options.top - take));
    body['@odata.nextLink'] = `${base}/${def.set}?${next.toString().replace(/%24/g, '$')}`;
  }
  return json(200, body);
}
