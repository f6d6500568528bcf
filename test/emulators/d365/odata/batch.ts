/**
 * OData `$batch` (multipart/mixed, reference §2 and §3.1): top-level parts run on their own; each
 * changeset is atomic — on the first failure everything it did is rolled back and the changeset is
 * answered by ONE part (HTTP 500 for write failures, carrying the Content-ID of the changeset's first
 * operation), as the recorded F&O exchange shows. The outer status is always 200. `$<Content-ID>`
 * at the start of a URL refers to an entity created earlier in the same changeset.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import { plainError } from './errors.js';
import { handleOData, type ODataEnv, type ODataResponse } from './handler.js';

export const MAX_BATCH_OPERATIONS = 5000;

export interface BatchOperation {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  contentId?: string;
}

export type BatchPart = { kind: 'single'; op: BatchOperation } | { kind: 'changeset'; ops: BatchOperation[] };

export interface ParsedBatch {
  parts: BatchPart[];
  operationCount: number;
}

function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const chunks = body.split(delimiter);
  const parts: string[] = [];
  for (let i = 1; i < chunks.length; i++) {
    let chunk = chunks[i]!;
    if (chunk.startsWith('--')) break;
    chunk = chunk.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '');
    parts.push(chunk);
  }
  return parts;
}

function splitHead(text: string): { headers: Record<string, string>; firstLine?: string; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  const lines = head.split(/\r?\n/);
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0 && !/^[A-Z]+ \S+ HTTP\//.test(line))
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, rest };
}

function parseOperation(part: string): BatchOperation {
  const outer = splitHead(part);
  const inner = outer.rest.replace(/^\r?\n/, '');
  const lineEnd = inner.search(/\r?\n/);
  const requestLine = (lineEnd < 0 ? inner : inner.slice(0, lineEnd)).trim();
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d\.\d)?$/.exec(requestLine);
  if (!m) throw plainError(400, `The batch request part '${requestLine}' is not a valid HTTP request line.`);
  const afterLine = lineEnd < 0 ? '' : inner.slice(lineEnd).replace(/^\r?\n/, '');
  const { headers, rest } = afterLine.match(/^\r?\n/)
    ? { headers: {}, rest: afterLine.replace(/^\r?\n/, '') }
    : splitHead(afterLine);
  const contentId = outer.headers['content-id'] ?? headers['content-id'];
  return { method: m[1]!, url: m[2]!, headers, body: rest.trim(), ...(contentId ? { contentId } : {}) };
}

export function parseBatch(body: string, contentType: string | undefined): ParsedBatch {
  const boundary = boundaryOf(contentType);
  if (!boundary || !/^multipart\/mixed/i.test(contentType ?? '')) {
    throw plainError(400, "The content type of a $batch request must be 'multipart/mixed' with a boundary.");
  }
  const parts: BatchPart[] = [];
  let operationCount = 0;
  for (const raw of splitMultipart(body, boundary)) {
    const { headers, rest } = splitHead(raw);
    const type = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      const csBoundary = boundaryOf(type);
      if (!csBoundary) throw plainError(400, 'A changeset must declare its boundary.');
      const ops = splitMultipart(rest, csBoundary).map(parseOperation);
      for (const op of ops) {
        if (op.method === 'GET') throw plainError(400, 'A changeset cannot contain a GET request.');
      }
      operationCount += ops.length;
      parts.push({ kind: 'changeset', ops });
    } else {
      operationCount++;
      parts.push({ kind: 'single', op: parseOperation(raw) });
    }
  }
  if (operationCount > MAX_BATCH_OPERATIONS) {
    throw plainError(
      400,
      `The batch contains ${operationCount} operations; the limit is ${MAX_BATCH_OPERATIONS}.`,
    );
  }
  return { parts, operationCount };
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

function httpPart(res: ODataResponse, contentId: string | undefined, prettyBody = false): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? ''}`.trimEnd());
  for (const [k, v] of Object.entries(res.headers)) {
    if (k === 'content-type') lines.push(`Content-Type: ${v}; charset=utf-8`);
    else if (k === 'odata-version') lines.push(`OData-Version: ${v}`);
    else if (k === 'location') lines.push(`Location: ${v}`);
    else if (k === 'etag') lines.push(`ETag: ${v}`);
  }
  const body = prettyBody && res.body ? JSON.stringify(JSON.parse(res.body), null, 2) : res.body;
  lines.push('', body);
  return lines.join('\r\n');
}

class ChangesetFailure extends Error {
  constructor(readonly response: ODataResponse) {
    super('changeset failed');
  }
}

export interface BatchResult {
  response: ODataResponse;
  entitySets: string[];
  /** True when at least one changeset committed (used by the commitNoAnswer fault). */
  committed: boolean;
}

export function executeBatch(
  env: ODataEnv,
  store: Store,
  batch: ParsedBatch,
  origin: string,
  onOperation: (res: ODataResponse) => void,
): BatchResult {
  const outer = `batchresponse_${randomUUID()}`;
  const chunks: string[] = [];
  const entitySets: string[] = [];
  let committed = false;

  const run = (op: BatchOperation, refs: Map<string, string>): ODataResponse => {
    let target = op.url;
    const ref = /^\$(\w+)(.*)$/.exec(target);
    if (ref) {
      const location = refs.get(ref[1]!);
      if (!location)
        return {
          status: 404,
          headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' },
          body: JSON.stringify({
            error: { code: '', message: `Content-ID reference '$${ref[1]}' was not found.` },
          }),
        };
      target = location + ref[2]!;
    }
    const url = /^https?:\/\//i.test(target)
      ? new URL(target)
      : new URL(target.startsWith('/') ? target : `/data/${target}`, origin);
    const res = handleOData(env, { method: op.method, url, headers: op.headers, body: op.body });
    if (res.entitySet) entitySets.push(res.entitySet);
    onOperation(res);
    return res;
  };

  for (const part of batchParts(batch)) {
    if (part.kind === 'single') {
      chunks.push(httpPart(run(part.op, new Map()), part.op.contentId));
      continue;
    }
    const refs = new Map<string, string>();
    const responses: Array<[ODataResponse, string | undefined]> = [];
    try {
      store.transaction(() => {
        for (const op of part.ops) {
          const res = run(op, refs);
          if (res.status >= 400) throw new ChangesetFailure(res);
          if (op.contentId && res.location) refs.set(op.contentId, res.location);
          responses.push([res, op.contentId]);
        }
      });
      committed = true;
      const inner = `changesetresponse_${randomUUID()}`;
      const body = responses.map(([res, id]) => `--${inner}\r\n${httpPart(res, id)}`).join('\r\n');
      chunks.push(`Content-Type: multipart/mixed; boundary=${inner}\r\n\r\n${body}\r\n--${inner}--`);
    } catch (err) {
      if (!(err instanceof ChangesetFailure)) throw err;
      const failed = err.response;
      const writeFailure = failed.body.includes('AxODataWriteException');
      chunks.push(
        httpPart({ ...failed, status: writeFailure ? 500 : failed.status }, part.ops[0]?.contentId, true),
      );
    }
  }
  const body = `${chunks.map((c) => `--${outer}\r\n${c}`).join('\r\n')}\r\n--${outer}--\r\n`;
  return {
    response: {
      status: 200,
      headers: { 'content-type': `multipart/mixed; boundary=${outer}`, 'odata-version': '4.0' },
      body,
      entitySet: '$batch',
    },
    entitySets,
    committed,
  };
}

function batchParts(batch: ParsedBatch): BatchPart[] {
  return batch.parts;
}
