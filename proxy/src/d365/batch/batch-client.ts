/**
 * `$batch`: many operations in one HTTP request and one governor slot (F&O counts a batch as
 * one request; at most 5,000 operations). Each changeset is atomic. The outer status is 200
 * even when a changeset failed, so every item gets its own result: success with one response
 * per operation, or a typed error (D365ValidationError with `changeset` index, D365Throttled…).
 */
import { D365AmbiguousWriteError, D365ProtocolError, D365Throttled, type D365Error } from '../errors.js';
import type { Lane } from '../governor/lanes.js';
import { mapFailure } from '../odata/map-error.js';
import { parseErrorBody, WRITE_EXCEPTION_TYPE } from '../odata/error-body.js';
import { retryAfterMs } from '../retry-after.js';
import { isRetryableStatus } from '../retry-policy.js';
import type { D365Transport } from '../transport.js';
import { buildBatch, isChangeset, operationCount, type BatchItem } from './build.js';
import { parseBatchResponse, type InnerResponse } from './parse.js';

export interface OperationResult {
  status: number;
  contentId: string | undefined;
  /** Parsed JSON body (201 with the created entity, GET rows), undefined for 204. */
  body: unknown;
}

export type BatchItemResult = { ok: true; responses: OperationResult[] } | { ok: false; error: D365Error };

export interface BatchOptions {
  lane?: Lane;
  deadline?: number;
  /** Per-attempt timeout; default: the client timeout + 200 ms per operation. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BatchClientOptions {
  maxOperations: number;
  baseTimeoutMs: number;
  perOperationTimeoutMs?: number;
}

export class BatchClient {
  constructor(
    private readonly transport: D365Transport,
    private readonly options: BatchClientOptions,
  ) {}

  get maxOperations(): number {
    return this.options.maxOperations;
  }

  /** One `$batch` request. Results are in the order of `items`. */
  async execute(items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchItemResult[]> {
    if (items.length === 0) return [];
    const ops = operationCount(items);
    if (ops > this.options.maxOperations) {
      throw new RangeError(
        `a $batch holds at most ${this.options.maxOperations} operations (got ${ops}); use executeAll`,
      );
    }
    const built = buildBatch(this.transport.dataUrl, items);
    const readOnly = items.every((i) => !isChangeset(i));
    const res = await this.transport.send({
      method: 'POST',
      path: '$batch',
      body: built.body,
      contentType: built.contentType,
      headers: { Accept: 'multipart/mixed' },
      lane: options.lane,
      deadline: options.deadline,
      signal: options.signal,
      timeoutMs:
        options.timeoutMs ?? this.options.baseTimeoutMs + ops * (this.options.perOperationTimeoutMs ?? 200),
      idempotent: readOnly,
      entity: '$batch',
    });
    let parts;
    try {
      parts = parseBatchResponse(res.headers['content-type'], res.text);
    } catch (err) {
      // We cannot tell which changesets were committed.
      throw new D365AmbiguousWriteError(`$batch answer could not be read: ${(err as Error).message}`, {
        method: 'POST',
        entity: '$batch',
        status: res.status,
        requestId: res.requestId,
      });
    }
    return items.map((item, index): BatchItemResult => {
      const part = parts[index];
      const what = isChangeset(item) ? `changeset ${index}` : `${item.method} ${item.entity}`;
      if (!part) {
        return {
          ok: false,
          error: isChangeset(item)
            ? new D365AmbiguousWriteError(`$batch answer has no part for ${what}`, {
                requestId: res.requestId,
              })
            : new D365ProtocolError(`$batch answer has no part for ${what}`, { requestId: res.requestId }),
        };
      }
      const responses = part.kind === 'changeset' ? part.responses : [part.response];
      const failed = responses.find((r) => r.status >= 400);
      if (failed) return { ok: false, error: this.itemError(failed, index, item, res.requestId) };
      return { ok: true, responses: responses.map(toResult) };
    });
  }

  /**
   * Any number of items, split at item boundaries into batches of at most `maxOperations`,
   * `concurrency` batches at a time (each one governor slot). A batch that fails as a whole
   * marks each of its items with that error.
   */
  async executeAll(
    items: readonly BatchItem[],
    options: BatchOptions & { concurrency?: number } = {},
  ): Promise<BatchItemResult[]> {
    const groups: Array<{ start: number; items: BatchItem[] }> = [];
    let current: BatchItem[] = [];
    let start = 0;
    let ops = 0;
    items.forEach((item, i) => {
      const n = isChangeset(item) ? item.changeset.length : 1;
      if (n > this.options.maxOperations)
        throw new RangeError(`changeset ${i} alone exceeds ${this.options.maxOperations} operations`);
      if (ops + n > this.options.maxOperations && current.length > 0) {
        groups.push({ start, items: current });
        current = [];
        start = i;
        ops = 0;
      }
      current.push(item);
      ops += n;
    });
    if (current.length > 0) groups.push({ start, items: current });
    const results: BatchItemResult[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const g = groups[next++]!;
        try {
          const r = await this.execute(g.items, options);
          r.forEach((x, j) => (results[g.start + j] = x));
        } catch (err) {
          g.items.forEach((_, j) => (results[g.start + j] = { ok: false, error: err as D365Error }));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
    return results;
  }

  private itemError(r: InnerResponse, index: number, item: BatchItem, requestId: string): D365Error {
    const changeset = isChangeset(item) ? index : undefined;
    const entity = isChangeset(item) ? item.changeset.map((o) => o.entity).join(',') : item.entity;
    const innerId = r.headers['ms-dyn-aid'] ?? requestId;
    if (r.status === 429) {
      const wait = retryAfterMs(r.headers);
      // Inner throttling pauses every lane just like an outer 429.
      this.transport.governor.pauseUntil(Date.now() + (wait ?? 10_000));
      return new D365Throttled(
        `$batch ${changeset !== undefined ? `changeset ${index}` : entity} was throttled`,
        {
          method: 'POST',
          entity,
          status: 429,
          requestId: innerId,
          retryAfterMs: wait,
        },
      );
    }
    const body = r.body;
    const isWriteRefusal = parseErrorBody(body).type === WRITE_EXCEPTION_TYPE;
    const kind = isWriteRefusal
      ? 'write-rejected'
      : r.status < 500
        ? 'client'
        : isRetryableStatus(r.status)
          ? 'exhausted'
          : 'unexpected';
    return mapFailure({
      kind,
      method: isChangeset(item) ? 'POST' : item.method,
      entity,
      status: r.status,
      body,
      requestId: innerId,
      changeset,
      attempts: 1,
    });
  }
}

function toResult(r: InnerResponse): OperationResult {
  let body: unknown;
  if (r.body) {
    try {
      body = JSON.parse(r.body);
    } catch {
      body = r.body;
    }
  }
  return { status: r.status, contentId: r.contentId, body };
}
