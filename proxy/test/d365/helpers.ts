/** Test servers for the F&O client: real HTTP on 127.0.0.1:0, switching on a request counter. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createD365Client, type D365Client, type D365ClientOptions } from '../../src/d365/index.js';
import { loadConfig } from '../../src/config.js';
import { d365Settings } from '../../src/d365/options-from-config.js';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Handler = (req: Recorded, res: http.ServerResponse, n: number) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(rec);
      Promise.resolve(handler(rec, res, requests.length)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; odata.metadata=minimal', ...headers });
  res.end(text);
}

/** An unsigned JWT-shaped token with the given audience (F&O would verify; our client only decodes). */
export function fakeJwt(aud: string, extra: Record<string, unknown> = {}): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ aud, tid: 'bridge-tenant', oid: 'x', ...extra })}.sig`;
}

/** A client for a test server, with a static token source (token behaviour is tested apart). */
export function clientFor(url: string, overrides: Partial<D365ClientOptions> = {}): D365Client {
  let n = 0;
  return createD365Client({
    ...d365Settings(loadConfig({ NODE_ENV: 'test' })),
    url,
    tenantId: 'bridge-tenant',
    clientId: 'bridge-demo',
    tokenFetcher: async () => ({
      accessToken: fakeJwt(url.toLowerCase(), { n: ++n }),
      expiresInMs: 3_599_000,
    }),
    retryBaseDelayMs: 20,
    timeoutMs: 2000,
    ...overrides,
    governor: { pauseJitterMs: 0, ...overrides.governor },
  });
}

/** The error of a failed `$batch` item (undefined when it succeeded). */
export function errorOf(r: { ok: boolean; error?: unknown } | undefined): unknown {
  return r && !r.ok ? r.error : undefined;
}
