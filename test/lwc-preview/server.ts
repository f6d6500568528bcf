/**
 * Serves the widget preview: the pages (Opportunity at `/`, Account at `/account`), the built bundle, the SLDS stylesheet and icons, and a
 * same-origin `GET /v1/inventory` that forwards to the proxy with the dev API key — the part a
 * Named Credential plays in an org, so the key never appears in the page.
 *
 *   const preview = await startPreviewServer({ proxyUrl, apiKey });   // port 0 = ephemeral
 *   preview.url  // http://127.0.0.1:<port>/
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyReply } from 'fastify';
import { PREVIEW_DIST_DIR } from './build.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
const sldsAssets = join(require.resolve('@salesforce-ux/design-system/package.json'), '..', 'assets');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

export interface PreviewServerOptions {
  /** Base URL of the running proxy, e.g. http://127.0.0.1:8080. */
  proxyUrl: string;
  /** A key from the proxy's INBOUND_API_KEYS, added to forwarded calls. */
  apiKey: string;
  port?: number;
  host?: string;
  distDir?: string;
}

export interface PreviewServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startPreviewServer(opts: PreviewServerOptions): Promise<PreviewServer> {
  const distDir = opts.distDir ?? PREVIEW_DIST_DIR;
  const proxyUrl = opts.proxyUrl.replace(/\/+$/, '');
  const app = Fastify({ logger: false, forceCloseConnections: true });

  app.get('/', (_req, reply) => sendFile(reply, here, 'index.html', 'no-store'));
  // The Account record page: the standing card (Salesforce data only, no proxy call).
  app.get('/account', (_req, reply) => sendFile(reply, here, 'account.html', 'no-store'));
  app.get('/dist/*', (req, reply) =>
    sendFile(reply, distDir, (req.params as { '*': string })['*'], 'no-store'),
  );
  app.get('/slds/*', (req, reply) =>
    sendFile(reply, sldsAssets, (req.params as { '*': string })['*'], 'public, max-age=3600'),
  );

  // The Named Credential's part: same path and query, the key added here, the answer passed back.
  app.get('/v1/inventory', async (req, reply) => {
    const query = req.url.slice(req.url.indexOf('?'));
    let upstream: Response;
    try {
      upstream = await fetch(`${proxyUrl}/v1/inventory${query.startsWith('?') ? query : ''}`, {
        headers: { authorization: `Bearer ${opts.apiKey}`, accept: String(req.headers.accept ?? '*/*') },
        signal: AbortSignal.timeout(15_000), // the Apex callout timeout
      });
    } catch {
      // What the Apex sees when the callout fails: the shim turns it into BRIDGE_UNREACHABLE.
      return reply.code(502).type('text/plain').send('the F&O Bridge proxy could not be reached');
    }
    for (const header of ['content-type', 'retry-after', 'x-request-id']) {
      const value = upstream.headers.get(header);
      if (value) reply.header(header, value);
    }
    return reply
      .code(upstream.status)
      .header('cache-control', 'no-store')
      .send(Buffer.from(await upstream.arrayBuffer()));
  });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const { port, address } = app.server.address() as AddressInfo;
  return { url: `http://${address}:${port}/`, port, close: () => app.close() };
}

/** Streams `root/relative` when it stays inside `root`; 404 otherwise. */
function sendFile(reply: FastifyReply, root: string, relative: string, cacheControl: string) {
  const path = normalize(join(root, relative));
  if (
    !path.startsWith(root.endsWith(sep) ? root : root + sep) ||
    !existsSync(path) ||
    !statSync(path).isFile()
  ) {
    return reply.code(404).type('text/plain').send('not found');
  }
  return reply
    .type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
    .header('cache-control', cacheControl)
    .send(createReadStream(path));
}
