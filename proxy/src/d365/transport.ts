/**
 * Sends one logical request to F&O: token per attempt, a governor slot per attempt, the retry
 * policy between attempts, typed errors at the end. Every OData, `$batch` and DMF call goes
 * through `send`, so throttling, retries and token handling live in exactly one place.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { UpstreamMetrics } from '../upstream-metrics.js';
import { D365ProtocolError, D365Throttled } from './errors.js';
import type { Governor, SlotOutcome } from './governor/governor.js';
import type { Lane } from './governor/lanes.js';
import { parseErrorBody, WRITE_EXCEPTION_TYPE } from './odata/error-body.js';
import { mapFailure } from './odata/map-error.js';
import { retryAfterMs } from './retry-after.js';
import { DEFAULT_RETRY, decideRetry, sleep, type HttpMethod, type RetryOptions } from './retry-policy.js';
import type { TokenCache } from './token/token-cache.js';

export interface D365Request {
  method: HttpMethod;
  /** Path below `<url>/data/` (already escaped by literal.ts), or an absolute URL on the same origin (nextLink). */
  path: string;
  /** Query string without `?`, already encoded (see odata/query.ts). */
  query?: string;
  /** Objects are sent as JSON; strings/Buffers as they are with `contentType`. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  lane?: Lane;
  entity?: string;
  key?: string;
  /** Safe to repeat after an ambiguous failure; defaults to true for GET/PATCH/PUT/DELETE. */
  idempotent?: boolean;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Epoch ms after which no further attempt (or wait for a slot) is made. */
  deadline?: number;
  signal?: AbortSignal;
}

export interface D365Response {
  status: number;
  headers: Record<string, string>;
  /** Raw body text ('' for 204). */
  text: string;
  requestId: string;
  attempts: number;
}

export interface TransportOptions {
  /** Normalised environment URL, e.g. `https://contoso.operations.dynamics.com`. */
  url: string;
  governor: Governor;
  tokens: TokenCache;
  timeoutMs?: number;
  /** Total time for one logical call including retries and waits (default 3 × timeout). */
  totalDeadlineMs?: number;
  retry?: Partial<RetryOptions>;
  maxSockets?: number;
  logger?: { warn(obj: object, msg?: string): void; debug(obj: object, msg?: string): void };
  /** Per-attempt call metrics (`fobridge_upstream_*`). */
  metrics?: UpstreamMetrics;
  now?: () => number;
  random?: () => number;
}

export class D365Transport {
  readonly dataUrl: string;
  private readonly origin: string;
  private readonly http: AxiosInstance;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly totalDeadlineMs: number;
  private readonly now: () => number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  requestsSent = 0;

  constructor(private readonly options: TransportOptions) {
    this.dataUrl = `${options.url}/data`;
    this.origin = new URL(options.url).origin;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.totalDeadlineMs = options.totalDeadlineMs ?? this.timeoutMs * 3;
    this.now = options.now ?? Date.now;
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
    this.http = axios.create({
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      proxy: false,
      decompress: true,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });
  }

  get governor(): Governor {
    return this.options.governor;
  }

  /** Resolve a path or nextLink to an absolute URL on the F&O origin (never sends the token elsewhere). */
  resolve(path: string, query?: string): string {
    let url: string;
    if (/^https?:\/\//i.test(path)) {
      if (new URL(path).origin !== this.origin) {
        throw new D365ProtocolError(
          `F&O returned a link to another host (${new URL(path).origin}); refusing to follow it`,
        );
      }
      url = path;
    } else url = `${this.dataUrl}/${path.replace(/^\/+/, '')}`;
    return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
  }

  async send(req: D365Request): Promise<D365Response> {
    const lane = req.lane ?? 'sync';
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const deadline = req.deadline ?? this.now() + this.totalDeadlineMs;
    const url = this.resolve(req.path, req.query);
    const clientRequestId = randomUUID();
    const ctx = { method: req.method, entity: req.entity, key: req.key };
    let attempt = 0;
    let authRetried = false;
    let maybeApplied = false;
    for (;;) {
      attempt += 1;
      const token = await this.options.tokens.getToken();
      const slot = await this.governor
        .acquire(lane, { deadline, signal: req.signal })
        .catch((err: unknown) => {
          // Add what was being attempted to the governor's own error.
          if (err instanceof D365Throttled) {
            throw new D365Throttled(`${req.method} ${req.entity ?? url}: ${err.message}`, {
              ...ctx,
              status: 429,
              retryAfterMs: err.retryAfterMs,
              cause: err,
            });
          }
          throw err;
        });
      const started = this.now();
      let res: AxiosResponse<string> | undefined;
      let errorCode: string | undefined;
      let errorMessage: string | undefined;
      try {
        this.requestsSent += 1;
        res = await this.http.request<string>({
          method: req.method,
          url,
          data: encodeBody(req.body),
          timeout: req.timeoutMs ?? this.timeoutMs,
          signal: req.signal,
          headers: {
            Accept: 'application/json',
            'OData-Version': '4.0',
            'OData-MaxVersion': '4.0',
            'x-ms-client-request-id': clientRequestId,
            ...(req.body !== undefined
              ? { 'Content-Type': req.contentType ?? 'application/json; odata.metadata=minimal' }
              : {}),
            ...req.headers,
            Authorization: `Bearer ${token}`,
          },
        });
      } catch (err) {
        const e = err as { code?: string; message?: string; name?: string };
        if (req.signal?.aborted) {
          slot.release({ kind: 'neutral' });
          throw err;
        }
        errorCode = normaliseErrorCode(e);
        errorMessage = e.message;
      }
      const latencyMs = this.now() - started;
      const status = res?.status;
      this.options.metrics?.observe({ method: req.method, status, seconds: latencyMs / 1000 });
      const headers = res ? flattenHeaders(res.headers as Record<string, unknown>) : {};
      const requestId = headers['ms-dyn-aid'] ?? headers['x-ms-request-id'] ?? clientRequestId;
      const latencyClass = req.path === '$batch' ? null : req.method === 'GET' ? 'read' : 'write';
      slot.release(outcomeOf(status, errorCode, latencyMs, headers, this.now(), latencyClass));

      if (status !== undefined && status < 400) {
        return { status, headers, text: res?.data ?? '', requestId, attempts: attempt };
      }
      // A retried DELETE that finds nothing: the earlier attempt did it.
      if (status === 404 && req.method === 'DELETE' && maybeApplied) {
        return { status: 204, headers, text: '', requestId, attempts: attempt };
      }
      const body = res?.data;
      // A 500 carrying F&O's write exception is a definite, rolled-back refusal — not ambiguous.
      if (status !== undefined && status >= 500 && parseErrorBody(body ?? '').type === WRITE_EXCEPTION_TYPE) {
        throw mapFailure({ ...ctx, kind: 'write-rejected', status, body, requestId, attempts: attempt });
      }
      const decision = decideRetry(
        { method: req.method, idempotent, attempt, status, errorCode, authRetried },
        this.retry,
        this.options.random,
      );
      if (decision.action === 'retry') {
        this.governor.recordRetry(decision.reason);
        this.options.logger?.debug(
          { ...ctx, status, errorCode, attempt, requestId, reason: decision.reason },
          'retrying F&O call',
        );
        if (decision.reason === 'throttled') {
          const pausedUntil = this.governor.pausedUntil;
          if (pausedUntil > deadline) {
            throw new D365Throttled(
              `${req.method} ${req.entity ?? url} is throttled by F&O beyond its deadline`,
              {
                ...ctx,
                status,
                requestId,
                retryAfterMs: Math.max(0, pausedUntil - this.now()),
              },
            );
          }
          continue; // the governor holds the next attempt until the pause ends
        }
        if (decision.reason === 'auth') {
          this.options.tokens.invalidate(token);
          authRetried = true;
          continue;
        }
        maybeApplied = maybeApplied || status !== undefined || errorCode !== 'ECONNREFUSED';
        if (this.now() + decision.delayMs > deadline) {
          throw mapFailure({
            ...ctx,
            kind: 'exhausted',
            status,
            body,
            errorCode,
            requestId,
            attempts: attempt,
          });
        }
        await sleep(decision.delayMs, req.signal);
        continue;
      }
      if (decision.action === 'done')
        return { status: status ?? 0, headers, text: '', requestId, attempts: attempt };
      const failure = mapFailure({
        ...ctx,
        kind: decision.kind,
        status,
        body,
        errorCode,
        requestId,
        attempts: attempt,
        d365Message: body === undefined ? errorMessage : undefined,
        retryAfterMs: status === 429 ? retryAfterMs(headers, this.now()) : undefined,
      });
      throw failure;
    }
  }

  /** A request to a non-F&O URL (the DMF blob): no token, no governor, idempotent retries only. */
  async sendExternal(req: {
    method: 'PUT' | 'GET';
    url: string;
    body?: Buffer | string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    /** The body as bytes (`bytes`; `text` stays empty): a downloaded package is a zip. */
    binary?: boolean;
  }): Promise<{ status: number; text: string; bytes?: Buffer }> {
    let attempt = 0;
    for (;;) {
      attempt += 1;
      let status: number | undefined;
      let text = '';
      let bytes: Buffer | undefined;
      let errorCode: string | undefined;
      try {
        const res = await this.http.request<string | ArrayBuffer>({
          method: req.method,
          url: req.url,
          data: req.body,
          headers: req.headers,
          timeout: req.timeoutMs ?? this.timeoutMs,
          ...(req.binary ? { responseType: 'arraybuffer' as const } : {}),
        });
        status = res.status;
        if (req.binary) bytes = Buffer.from(res.data as ArrayBuffer);
        if (req.binary && res.status >= 400) text = bytes!.toString('utf8');
        else if (!req.binary) text = (res.data as string | undefined) ?? '';
      } catch (err) {
        errorCode = normaliseErrorCode(err as { code?: string });
      }
      if (status !== undefined && status < 400) return { status, text, ...(bytes ? { bytes } : {}) };
      const decision = decideRetry(
        { method: req.method, idempotent: true, attempt, status, errorCode, authRetried: true },
        this.retry,
        this.options.random,
      );
      if (decision.action !== 'retry') {
        throw mapFailure({
          kind: decision.action === 'fail' ? decision.kind : 'unexpected',
          method: req.method,
          entity: 'blob',
          status,
          errorCode,
          body: text,
          attempts: attempt,
        });
      }
      await sleep(decision.delayMs);
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function encodeBody(body: unknown): unknown {
  if (body === undefined) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}

function normaliseErrorCode(e: { code?: string; message?: string }): string {
  if (e.code === 'ECONNABORTED' && /timeout/i.test(e.message ?? '')) return 'ETIMEDOUT';
  if (e.code === 'ERR_BAD_RESPONSE' || e.code === 'ERR_SOCKET_CONNECTION_TIMEOUT') return e.code;
  if (e.code) return e.code;
  if (/socket hang up/i.test(e.message ?? '')) return 'ECONNRESET';
  return 'ECONNRESET';
}

function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function outcomeOf(
  status: number | undefined,
  errorCode: string | undefined,
  latencyMs: number,
  headers: Record<string, string>,
  now: number,
  latencyClass: string | null,
): SlotOutcome {
  if (status === 429) return { kind: 'throttled', retryAfterMs: retryAfterMs(headers, now), latencyMs };
  if (status === 503 || status === 504 || errorCode === 'ETIMEDOUT') return { kind: 'overload', latencyMs };
  if (status === undefined || status === 401) return { kind: 'neutral', latencyMs };
  if (status >= 500) return { kind: 'neutral', latencyMs };
  return { kind: 'success', latencyMs, latencyClass };
}
