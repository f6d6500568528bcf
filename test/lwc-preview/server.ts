/**
 * Serves the widget preview: the pages (Opportunity at `/`, Account at `/account`), the built bundle, the SLDS stylesheet and icons, and a
 * same-origin `GET /v1/inventory` that forwards to the proxy with the dev API key — the part a
 * Named Credential plays in an org, so the key never appears in the page. Given the Salesforce
 * emulator's URL (the sandbox), `GET /salesforce/accounts` hands the pages the demo Accounts as the
 * org holds them now (standing fields and `Invoice__c`), the part SOQL plays for the Apex; without
 * it that route is a 404 and the pages use the demo world's fixed standings.
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
  /** The Salesforce emulator's base URL: the pages then show its Accounts and invoices, live. */
  salesforceUrl?: string;
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

  // The SOQL's part (sandbox only): every Account with its standing fields and its Invoice__c
  // records, read from the Salesforce emulator's control API on each call, so a page shows what
  // the flows wrote a moment ago.
  const salesforceUrl = opts.salesforceUrl?.replace(/\/+$/, '');
  app.get('/salesforce/accounts', async (_req, reply) => {
    if (!salesforceUrl)
      return reply.code(404).type('text/plain').send('no Salesforce org behind this preview');
    const records = async (object: string) => {
      const res = await fetch(`${salesforceUrl}/_emulator/records/${object}`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`Salesforce emulator: ${object} answered ${res.status}`);
      return (await res.json()) as Array<Record<string, unknown>>;
    };
    const [accounts, invoices] = await Promise.all([records('Account'), records('Invoice__c')]);
    const body = accounts.map((a) => ({
      ...pick(a, ACCOUNT_FIELDS),
      Invoices: invoices.filter((i) => i.Account__c === a.Id).map((i) => pick(i, INVOICE_FIELDS)),
    }));
    return reply.header('cache-control', 'no-store').send(body);
  });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const { port, address } = app.server.address() as AddressInfo;
  return { url: `http://${address}:${port}/`, port, close: () => app.close() };
}

/** What AccountStandingController and InventoryController select (docs/salesforce-package.md). */
const ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'D365_Legal_Entity__c',
  'D365_Customer_Number__c',
  'D365_Balance__c',
  'D365_Overdue_Amount__c',
  'D365_Credit_Limit__c',
  'D365_Standing_Currency__c',
  'D365_On_Hold_Status__c',
  'D365_Standing_Refreshed__c',
];
const INVOICE_FIELDS = [
  'Id',
  'Name',
  'D365_Invoice_Id__c',
  'Invoice_Date__c',
  'Due_Date__c',
  'Total_Amount__c',
  'Tax_Amount__c',
  'Amount_Remaining__c',
  'Currency_Code__c',
  'Payment_Status__c',
];

/** The named fields of a record, null for those not set (as SOQL returns them). */
function pick(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));
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
