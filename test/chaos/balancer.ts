/**
 * The one HTTPS endpoint F&O's business events go to, as a deployment puts a load balancer in
 * front of its replicas: each POST goes to the next live replica; a replica that refuses the
 * connection (killed, restarting) is skipped as a balancer's health check would; when none
 * answers, 502 (F&O then tries again, 3 times, and gives up: the invoice sweep finds the rest).
 * Test infrastructure only; plain http, since the emulator accepts http endpoints.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Proxy } from './processes.js';

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startBalancer(proxies: () => Proxy[]): Promise<Balancer> {
  let turn = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const live = proxies().filter((p) => p.alive());
      for (let i = 0; i < live.length; i++) {
        const p = live[turn++ % live.length]!;
        try {
          const answer = await fetch(`${p.url}${req.url ?? '/'}`, {
            method: req.method,
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
            body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body.toString('utf8'),
            signal: AbortSignal.timeout(9_000),
          });
          const text = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(text);
          return;
        } catch {
          // not answering (killed, stopped past the timeout): the next one
        }
      }
      res.writeHead(502);
      res.end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
