/**
 * The typed OData client: by key, queries with paging, create, update, delete and bound
 * actions. Every URL is built from literal.ts / filter.ts / query.ts; every call goes through
 * the transport (governor, retries, token) in the caller's lane (default `sync`).
 */
import { D365NotFound, D365ProtocolError } from '../errors.js';
import type { Lane } from '../governor/lanes.js';
import type { D365Response, D365Transport } from '../transport.js';
import { anyOf, and, type Filter } from './filter.js';
import {
  assertIdentifier,
  entityKey,
  entityPath,
  ENUM_NAMESPACE,
  type EntityKey,
  type ODataValue,
} from './literal.js';
import { buildQuery, type Expand, type QueryParts } from './query.js';

export type Row = Record<string, unknown>;

export interface CallOptions {
  lane?: Lane;
  /** Epoch ms: the whole call (retries, throttle waits) must finish before it. */
  deadline?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface QueryOptions extends QueryParts, CallOptions {}

export interface Page<T> {
  rows: T[];
  /** `@odata.count` when `count: true` (first page). */
  count: number | undefined;
  nextLink: string | undefined;
}

export interface QueryResult<T> extends AsyncIterable<T> {
  pages(): AsyncIterable<Page<T>>;
  /** Collect every row (careful with big sets). */
  all(): Promise<T[]>;
}

export class ODataClient {
  constructor(private readonly transport: D365Transport) {}

  /** GET one row by key; throws D365NotFound when it does not exist. */
  async getByKey<T = Row>(
    entity: string,
    key: EntityKey,
    options: CallOptions & { select?: readonly string[]; expand?: readonly Expand[] } = {},
  ): Promise<T> {
    const res = await this.transport.send({
      ...callParts(options),
      method: 'GET',
      path: entityPath(entity, key),
      query: buildQuery({
        select: options.select,
        expand: options.expand,
        crossCompany: 'dataAreaId' in key,
      }),
      entity,
      key: keyText(key),
    });
    return parseJson(res, entity) as T;
  }

  /** Like getByKey, but `undefined` when the row does not exist. */
  async findByKey<T = Row>(
    entity: string,
    key: EntityKey,
    options: CallOptions & { select?: readonly string[]; expand?: readonly Expand[] } = {},
  ): Promise<T | undefined> {
    try {
      return await this.getByKey<T>(entity, key, options);
    } catch (err) {
      if (err instanceof D365NotFound) return undefined;
      throw err;
    }
  }

  /** Rows of `entity`, following `@odata.nextLink` page by page. */
  query<T = Row>(entity: string, options: QueryOptions = {}): QueryResult<T> {
    assertIdentifier(entity, 'entity set');
    const transport = this.transport;
    const call = callParts(options);
    const limit = options.top;
    async function* pages(): AsyncGenerator<Page<T>> {
      let link: string | undefined = entity;
      let query: string | undefined = buildQuery(options);
      let seen = 0;
      while (link) {
        const res = await transport.send({ ...call, method: 'GET', path: link, query, entity });
        const doc = parseJson(res, entity) as {
          value?: unknown;
          '@odata.nextLink'?: unknown;
          '@odata.count'?: unknown;
        };
        if (!Array.isArray(doc.value))
          throw new D365ProtocolError(`GET ${entity}: the answer has no "value" array`);
        let rows = doc.value as T[];
        if (limit !== undefined && seen + rows.length > limit) rows = rows.slice(0, limit - seen);
        seen += rows.length;
        const nextLink =
          typeof doc['@odata.nextLink'] === 'string' && (limit === undefined || seen < limit)
            ? doc['@odata.nextLink']
            : undefined;
        yield {
          rows,
          count: typeof doc['@odata.count'] === 'number' ? doc['@odata.count'] : undefined,
          nextLink,
        };
        link = nextLink;
        query = undefined; // the nextLink carries the whole query
      }
    }
    return {
      pages,
      async *[Symbol.asyncIterator]() {
        for await (const page of pages()) yield* page.rows;
      },
      async all() {
        const out: T[] = [];
        for await (const page of pages()) out.push(...page.rows);
        return out;
      },
    };
  }

  /**
   * Rows whose `field` is any of `values` — F&O has no `in`, so this runs one query per chunk of
   * or-ed `eq`s (each URL kept short) and yields the union.
   */
  async *queryAnyOf<T = Row>(
    entity: string,
    field: string,
    values: readonly ODataValue[],
    options: QueryOptions & { maxFilterLength?: number } = {},
  ): AsyncGenerator<T> {
    for (const chunk of anyOf(field, values, options.maxFilterLength)) {
      yield* this.query<T>(entity, {
        ...options,
        filter: options.filter ? and(options.filter, chunk) : chunk,
      });
    }
  }

  /** `GET /data/<Set>/$count` (with the same filter/company rules as `query`). */
  async count(
    entity: string,
    options: CallOptions & { filter?: Filter; company?: string; crossCompany?: boolean } = {},
  ) {
    const res = await this.transport.send({
      ...callParts(options),
      method: 'GET',
      path: `${assertIdentifier(entity, 'entity set')}/$count`,
      query: buildQuery({
        filter: options.filter,
        company: options.company,
        crossCompany: options.crossCompany,
      }),
      entity,
    });
    const n = Number(res.text.replace(/^\uFEFF/, '').trim());
    if (!Number.isFinite(n)) throw new D365ProtocolError(`GET ${entity}/$count: not a number`);
    return n;
  }

  /**
   * POST a new row; returns F&O's full entity (generated keys included). Never retried after an
   * ambiguous failure — that surfaces as D365AmbiguousWriteError; use createOnce.
   * `company` sets `dataAreaId` in the body and adds `cross-company=true`.
   */
  async create<T = Row>(
    entity: string,
    body: Row,
    options: CallOptions & { company?: string } = {},
  ): Promise<T> {
    const company =
      options.company?.toLowerCase() ?? (typeof body.dataAreaId === 'string' ? body.dataAreaId : undefined);
    const res = await this.transport.send({
      ...callParts(options),
      method: 'POST',
      path: entityPath(entity),
      query: company !== undefined ? 'cross-company=true' : undefined,
      body: company !== undefined ? { ...body, dataAreaId: company } : body,
      entity,
    });
    return (res.text ? parseJson(res, entity) : {}) as T;
  }

  /** PATCH the given fields (absolute values only: the call is retried as idempotent). */
  async update(entity: string, key: EntityKey, patch: Row, options: CallOptions = {}): Promise<void> {
    await this.transport.send({
      ...callParts(options),
      method: 'PATCH',
      path: entityPath(entity, key),
      query: 'dataAreaId' in key ? 'cross-company=true' : undefined,
      body: patch,
      entity,
      key: keyText(key),
    });
  }

  async delete(entity: string, key: EntityKey, options: CallOptions = {}): Promise<void> {
    await this.transport.send({
      ...callParts(options),
      method: 'DELETE',
      path: entityPath(entity, key),
      query: 'dataAreaId' in key ? 'cross-company=true' : undefined,
      entity,
      key: keyText(key),
    });
  }

  /**
   * A collection-bound action: `POST /data/<Set>/Microsoft.Dynamics.DataEntities.<Action>`.
   * Returns the parsed body (or undefined for 204). `idempotent` marks actions safe to repeat.
   */
  async action<T = unknown>(
    entitySet: string,
    actionName: string,
    body: Row,
    options: CallOptions & { idempotent?: boolean } = {},
  ): Promise<T> {
    const res = await this.transport.send({
      ...callParts(options),
      method: 'POST',
      path: `${assertIdentifier(entitySet, 'entity set')}/${ENUM_NAMESPACE}.${assertIdentifier(actionName, 'action')}`,
      body,
      entity: `${entitySet}/${actionName}`,
      idempotent: options.idempotent ?? false,
    });
    return (res.text ? parseJson(res, entitySet) : undefined) as T;
  }
}

function callParts(o: CallOptions) {
  return { lane: o.lane, deadline: o.deadline, timeoutMs: o.timeoutMs, signal: o.signal };
}

/** The key as it appears in the URL, for error messages (decoded, without parentheses). */
function keyText(key: EntityKey): string {
  return decodeURIComponent(entityKey(key).slice(1, -1));
}

export function parseJson(res: D365Response, entity: string): unknown {
  const text = res.text.replace(/^\uFEFF/, '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new D365ProtocolError(`${entity}: F&O answered ${res.status} with a body that is not JSON`, {
      status: res.status,
      requestId: res.requestId,
    });
  }
}
