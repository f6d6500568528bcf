/**
 * Building an OData `$batch` request body (multipart/mixed, d365.md §2):
 *
 *   --batch_<id>
 *   Content-Type: multipart/mixed; boundary=changeset_<id>
 *
 *   --changeset_<id>
 *   Content-Type: application/http
 *   Content-Transfer-Encoding: binary
 *   Content-ID: 1
 *
 *   POST https://<env>/data/CustomerGroups HTTP/1.1
 *   OData-Version: 4.0
 *   …
 *
 *   {"…"}
 *   --changeset_<id>--
 *   --batch_<id>--
 *
 * Inner request lines use absolute URLs (F&O's own examples do); `$1` references an earlier
 * operation of the same changeset by Content-ID.
 */
import { randomUUID } from 'node:crypto';
import { entityPath, type EntityKey } from '../odata/literal.js';

export interface BatchOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  entity: string;
  key?: EntityKey;
  /** Instead of entity/key: a reference like `$1/SalesOrderLines` (changesets only). */
  reference?: string;
  /** Extra encoded query (e.g. `cross-company=true`). */
  query?: string;
  body?: Record<string, unknown>;
}

/** An atomic group of writes: all of it is committed or none. */
export interface Changeset {
  changeset: BatchOperation[];
}

export type BatchItem = BatchOperation | Changeset;

export function isChangeset(item: BatchItem): item is Changeset {
  return 'changeset' in item;
}

export interface BuiltBatch {
  boundary: string;
  contentType: string;
  body: string;
  /** Number of operations (what F&O's 5,000 limit counts). */
  operations: number;
}

const CRLF = '\r\n';

export function operationCount(items: readonly BatchItem[]): number {
  return items.reduce((n, item) => n + (isChangeset(item) ? item.changeset.length : 1), 0);
}

export function buildBatch(
  dataUrl: string,
  items: readonly BatchItem[],
  id: () => string = randomUUID,
): BuiltBatch {
  const boundary = `batch_${id()}`;
  const lines: string[] = [];
  let contentId = 0;
  for (const item of items) {
    lines.push(`--${boundary}`);
    if (isChangeset(item)) {
      if (item.changeset.length === 0) throw new TypeError('a changeset needs at least one operation');
      const cs = `changeset_${id()}`;
      lines.push(`Content-Type: multipart/mixed; boundary=${cs}`, '');
      const first = contentId + 1;
      for (const op of item.changeset) {
        if (op.method === 'GET') throw new TypeError('GET operations cannot be part of a changeset');
        contentId += 1;
        lines.push(`--${cs}`, ...operationLines(dataUrl, op, contentId, first));
      }
      lines.push(`--${cs}--`, '');
    } else {
      if (item.method !== 'GET') {
        // Writes outside a changeset are not atomic with anything; we always wrap them.
        throw new TypeError('write operations must be inside a changeset');
      }
      contentId += 1;
      lines.push(...operationLines(dataUrl, item, contentId, contentId));
    }
  }
  lines.push(`--${boundary}--`, '');
  return {
    boundary,
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: lines.join(CRLF),
    operations: operationCount(items),
  };
}

function operationLines(
  dataUrl: string,
  op: BatchOperation,
  contentId: number,
  firstInChangeset: number,
): string[] {
  let target: string;
  if (op.reference !== undefined) {
    const m = /^\$(\d+)(\/[A-Za-z_][A-Za-z0-9_]*)?$/.exec(op.reference);
    if (!m || Number(m[1]) < firstInChangeset || Number(m[1]) >= contentId) {
      throw new TypeError(
        `invalid reference ${op.reference}: must name an earlier operation of the same changeset`,
      );
    }
    target = op.reference;
  } else {
    target = `${dataUrl}/${entityPath(op.entity, op.key)}`;
  }
  if (op.query) target += `?${op.query}`;
  const out = [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    `Content-ID: ${contentId}`,
    '',
    `${op.method} ${target} HTTP/1.1`,
    'OData-Version: 4.0',
    'OData-MaxVersion: 4.0',
    'Accept: application/json',
  ];
  if (op.body !== undefined) {
    out.push('Content-Type: application/json;odata.metadata=minimal', '', JSON.stringify(op.body));
  } else out.push('', '');
  return out;
}
