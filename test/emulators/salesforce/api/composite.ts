import type { FastifyInstance } from 'fastify';
import { SfError } from '../errors.js';
import type { EmulatorState } from '../state.js';
import { apiKind } from './route-config.js';

/** Salesforce's limits for one composite call (REST API Developer Guide, "Composite"). */
const MAX_SUBREQUESTS = 25;
/** At most 5 subrequests may be sObject Collections or query operations. */
const MAX_COLLECTIONS_OR_QUERIES = 5;

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

/**
 * `POST /composite`: several REST requests in one call, counted as ONE call toward the API
 * limit. Each subrequest is run through this same server (so it behaves exactly like the direct
 * call) with a private header that tells the accounting hook not to count it again.
 *
 * Emulator limits, on purpose: `allOrNone: true` (a rollback across subrequests) and `@{ref}`
 * references between subrequests are refused with 400 rather than half-emulated.
 */
export default async function compositeRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  app.post('/services/data/:version/composite', { config: apiKind('composite') }, async (req) => {
    const body = (req.body ?? {}) as { allOrNone?: unknown; compositeRequest?: unknown };
    const subs = checkSubrequests(body.compositeRequest);
    if (body.allOrNone === true) {
      throw new SfError(
        400,
        'INVALID_REQUEST',
        'The emulator does not roll back across subrequests (allOrNone: true)',
      );
    }
    const compositeResponse = [];
    for (const sub of subs) {
      const res = await app.inject({
        method: sub.method as 'GET',
        url: sub.url,
        headers: {
          ...sub.httpHeaders,
          authorization: req.headers.authorization ?? '',
          [state.subrequestHeader]: state.subrequestSecret,
          ...(sub.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(sub.body !== undefined ? { payload: JSON.stringify(sub.body) } : {}),
      });
      const text = res.body;
      compositeResponse.push({
        body: text ? (JSON.parse(text) as unknown) : null,
        httpHeaders: res.headers.location ? { Location: res.headers.location } : {},
        httpStatusCode: res.statusCode,
        referenceId: sub.referenceId,
      });
    }
    return { compositeResponse };
  });
}

function checkSubrequests(raw: unknown): Subrequest[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new SfError(400, 'JSON_PARSER_ERROR', 'compositeRequest is required and must be a non-empty array');
  }
  if (raw.length > MAX_SUBREQUESTS) {
    throw new SfError(
      400,
      'INVALID_REQUEST',
      `A composite request can have at most ${MAX_SUBREQUESTS} subrequests`,
    );
  }
  const seen = new Set<string>();
  let heavy = 0;
  for (const s of raw as Subrequest[]) {
    if (
      !s ||
      typeof s.method !== 'string' ||
      typeof s.url !== 'string' ||
      typeof s.referenceId !== 'string'
    ) {
      throw new SfError(400, 'JSON_PARSER_ERROR', 'Each subrequest needs method, url and referenceId');
    }
    if (!/^[A-Za-z0-9_]+$/.test(s.referenceId) || seen.has(s.referenceId)) {
      throw new SfError(400, 'INVALID_REQUEST', `Invalid or duplicate referenceId: ${s.referenceId}`);
    }
    seen.add(s.referenceId);
    if (!s.url.startsWith('/services/data/')) {
      throw new SfError(400, 'INVALID_REQUEST', `Subrequest url must start with /services/data/: ${s.url}`);
    }
    if (s.url.includes('@{') || JSON.stringify(s.body ?? null).includes('@{')) {
      throw new SfError(400, 'INVALID_REQUEST', 'The emulator does not resolve @{reference} expressions');
    }
    if (/\/(composite\/sobjects|query|queryAll)\b/.test(s.url)) heavy++;
  }
  if (heavy > MAX_COLLECTIONS_OR_QUERIES) {
    throw new SfError(
      400,
      'INVALID_REQUEST',
      `A composite request can have at most ${MAX_COLLECTIONS_OR_QUERIES} sObject Collections or query subrequests`,
    );
  }
  return raw as Subrequest[];
}
