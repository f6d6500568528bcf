/**
 * One HTTP exchange with F&O (or the DMF blob store) on Node's own http/https modules and the
 * transport's keep-alive agents. It replaces axios on the hot path: per cold inventory read axios
 * cost ≈ 0.3 ms of CPU more than this (config merging, header normalising, its adapter's
 * promise chain and stream wrappers; measured in docs/d365-client.md), and the transport needs
 * none of what axios adds: no redirects are followed, bodies are sent as they are and read as
 * text, and the retry policy classifies failures itself.
 *
 * A failure without a response rejects with an Error whose `code` is Node's (`ECONNREFUSED`,
 * `ECONNRESET`, …) or `ETIMEDOUT` when the attempt's timeout passed, which is what
 * retry-policy.ts decides by.
 */
import http from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer | Uint8Array;
  /** Per attempt: no response complete within it ⇒ `ETIMEDOUT`. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Keep the body as bytes (`bytes`; `text` stays empty): a data package's zip. */
  binary?: boolean;
}

export interface HttpAnswer {
  status: number;
  /** Lower-case names, repeated headers joined with ', '. */
  headers: Record<string, string>;
  text: string;
  /** The body as it arrived (decoded from its content encoding), when `binary` was asked. */
  bytes?: Buffer;
}

export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

/** Compressed answers are welcome (large OData pages); they are decoded here. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

export function httpExchange(agents: HttpAgents, x: HttpExchange): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const secure = x.url.startsWith('https:');
    const send = secure ? https.request : http.request;
    const headers: Record<string, string | number> = { 'Accept-Encoding': ACCEPT_ENCODING, ...x.headers };
    if (x.body !== undefined) headers['Content-Length'] = Buffer.byteLength(x.body);
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      x.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () =>
      fail(x.signal?.reason instanceof Error ? x.signal.reason : codedError('ABORT_ERR', 'aborted'));
    const req = send(
      x.url,
      { method: x.method, headers, agent: secure ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        const stream = decoded(res, res.headers['content-encoding']);
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.once('error', (err: Error) => fail(withCode(err, 'ERR_BAD_RESPONSE')));
        res.once('aborted', () =>
          fail(codedError('ECONNRESET', 'the connection closed before the answer ended')),
        );
        stream.once('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          x.signal?.removeEventListener('abort', onAbort);
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            text: x.binary ? '' : body.toString('utf8'),
            ...(x.binary ? { bytes: body } : {}),
          });
        });
      },
    );
    const timer = setTimeout(
      () => fail(codedError('ETIMEDOUT', `no complete answer within ${x.timeoutMs} ms`)),
      x.timeoutMs,
    );
    req.once('error', (err: Error) => fail(withCode(err, 'ECONNRESET')));
    if (x.signal) {
      if (x.signal.aborted) return onAbort();
      x.signal.addEventListener('abort', onAbort, { once: true });
    }
    req.end(x.body);
  });
}

function decoded(res: http.IncomingMessage, encoding: string | undefined): Readable {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Node's socket errors carry a `code`; anything else gets `fallback`. */
function withCode(err: Error, fallback: string): Error {
  const e = err as Error & { code?: string };
  if (!e.code) e.code = fallback;
  return e;
}
