/**
 * The fault matrix's upstream world in a process of its own: the F&O emulator (http + https)
 * and the Salesforce emulator, plus a small gate in front of the F&O servers that the runner
 * drives over HTTP (`/gate/...` on its own port):
 *
 *  - `POST /gate/down` / `/gate/up`: stop the F&O listeners (connection refused) and listen
 *    again on the same ports, data kept;
 *  - `PUT /gate/token {fail:boolean, expired?:boolean}`: the Entra token endpoint answers 503
 *    while `fail` is set; `expired: true` makes every token issued until now expired for F&O
 *    (its `/data` answers 401 as for a token past its `exp`), tokens issued later pass;
 *  - `GET /gate/log` / `DELETE /gate/log`: every /data request with its arrival time, status and
 *    the Retry-After it was handed, so the runner can prove nothing arrived inside a pause.
 *
 * Prints one JSON line with the URLs on stdout when ready. Test infrastructure only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { startD365Emulator } from '../emulators/d365/index.js';
import { startSalesforceEmulator } from '../emulators/salesforce/index.js';

export interface LoggedRequest {
  /** Arrival (ms since epoch). */
  at: number;
  /** Answer sent (ms since epoch); 0 when the socket was destroyed without one. */
  end: number;
  status: number;
  retryAfterS?: number;
}

const timeScale = Number(process.env.CHAOS_TIME_SCALE ?? '0.05');
const d365 = await startD365Emulator({
  timeScale,
  latency: { readMs: 20, writeMs: 40, batchBaseMs: 20, batchPerOperationMs: 20, jitter: 0.25 },
});
const sf = await startSalesforceEmulator({ seed: 'empty', latencyMs: 2 });

let log: LoggedRequest[] = [];
let tokenFails = false;
/** Tokens issued before this (epoch s, the JWT's `iat`) are expired for F&O; 0 = none. */
let expiredBeforeS = 0;

/** F&O's 401 for a token it no longer accepts (the emulator's own body for an expired token). */
const UNAUTHORIZED = JSON.stringify({
  Message: 'Authentication failed.',
  StackTrace: null,
  ExceptionType: 'System.InvalidOperationException',
});

/** The `iat` of the request's bearer token (epoch s), or undefined. */
function issuedAt(req: IncomingMessage): number | undefined {
  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  try {
    const claims = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      iat?: unknown;
    };
    return typeof claims.iat === 'number' ? claims.iat : undefined;
  } catch {
    return undefined;
  }
}

/** Puts our listener in front of Fastify's so we can refuse, log or pass each request. */
function gate(server: Server): void {
  const inner = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (tokenFails && url.includes('/oauth2/')) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'AADSTS90033' }));
      return;
    }
    if (url.startsWith('/data')) {
      const entry: LoggedRequest = { at: Date.now(), end: 0, status: 0 };
      log.push(entry);
      const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
      (res as unknown as { writeHead: (...a: unknown[]) => ServerResponse }).writeHead = (...args) => {
        entry.status = Number(args[0]);
        const headers = args.find((a, i) => i > 0 && a && typeof a === 'object') as
          Record<string, unknown> | undefined;
        const ra = headers?.['Retry-After'] ?? headers?.['retry-after'] ?? res.getHeader('retry-after');
        if (ra !== undefined) entry.retryAfterS = Number(ra);
        return writeHead(...args);
      };
      res.once('finish', () => (entry.end = Date.now()));
      const iat = issuedAt(req);
      if (expiredBeforeS && iat !== undefined && iat < expiredBeforeS) {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
        res.end(UNAUTHORIZED);
        return;
      }
    }
    for (const l of inner) l.call(server, req, res);
  });
}
for (const s of d365.servers) gate(s);

const ports = d365.servers.map((s) => (s.address() as { port: number }).port);

async function down(): Promise<void> {
  await Promise.all(
    d365.servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    ),
  );
}
async function up(): Promise<void> {
  await Promise.all(
    d365.servers.map(
      (s, i) =>
        new Promise<void>((resolve, reject) => {
          if (s.listening) return resolve();
          s.once('error', reject);
          s.listen(ports[i], '127.0.0.1', () => resolve());
        }),
    ),
  );
}

const control = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
      : {};
    const reply = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const route = `${req.method} ${req.url}`;
    if (route === 'POST /gate/down') void down().then(() => reply({ ok: true }));
    else if (route === 'POST /gate/up') void up().then(() => reply({ ok: true }));
    else if (route === 'PUT /gate/token') {
      tokenFails = body.fail === true;
      // +1: a token issued in this very second is expired too (iat has whole seconds).
      if (body.expired === true) expiredBeforeS = Math.floor(Date.now() / 1000) + 1;
      else if (body.expired === false) expiredBeforeS = 0;
      reply({ ok: true });
    } else if (route === 'GET /gate/log') reply(log);
    else if (route === 'DELETE /gate/log') {
      log = [];
      reply({ ok: true });
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));

process.stdout.write(
  `${JSON.stringify({
    d365: {
      url: d365.url,
      httpsUrl: d365.httpsUrl,
      tenantId: d365.tenantId,
      clientId: d365.clientId,
      clientSecret: d365.clientSecret,
    },
    sf: {
      url: sf.url,
      loginUrl: sf.loginUrl,
      consumerKey: sf.consumerKey,
      username: sf.username,
      privateKeyPem: sf.privateKeyPem,
    },
    gate: `http://127.0.0.1:${(control.address() as { port: number }).port}`,
    timeScale,
  })}\n`,
);

const stop = () => {
  control.close();
  void Promise.all([d365.close(), sf.close()]).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
