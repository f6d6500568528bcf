/**
 * The sandbox: everything in one process for a person to try (docs/sandbox.md).
 *
 *  1. the F&O emulator (demo data; http 4010 + https 4443, ephemeral ports when those are taken);
 *  2. the Salesforce emulator (demo org; 4020, or ephemeral);
 *  3. the proxy on PORT (8080), configured against the F&O emulator over https exactly as against
 *     a real environment (D365_URL and ENTRA_AUTHORITY_HOST = the emulator's https URL; the dev
 *     certificate is trusted through NODE_EXTRA_CA_CERTS, which scripts/sandbox exports);
 *  4. the inventory widget preview (8090, or ephemeral): the real LWC on a local page;
 *  5. the F&O → Salesforce half: the demo customer's invoices in F&O, the business-event endpoint
 *     registered with the F&O emulator, and flows 4, 6 and 7 run once (sandbox-fno.ts).
 *
 * Prints every URL, the keys and ready-to-paste curls, and stops everything on Ctrl-C/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from '../../proxy/src/app.js';
import { loadConfig } from '../../proxy/src/config.js';
import { loggerOptions } from '../../proxy/src/logging.js';
import { createMetrics } from '../../proxy/src/metrics.js';
import { createRuntime } from '../../proxy/src/runtime.js';
import { startD365Emulator } from '../../test/emulators/d365/index.js';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../test/emulators/salesforce/index.js';
import { buildPreview } from '../../test/lwc-preview/build.js';
import { startPreviewServer } from '../../test/lwc-preview/server.js';
import { DEMO_PREVIEW_ACCOUNTS } from '../../test/lwc-preview/src/demo-accounts.js';
import { DEMO_OPPORTUNITIES } from '../../test/lwc-preview/src/demo-opportunities.js';
import { runFnoFlowsOnce, seedDemoCustomer, type FlowRun, type SandboxCustomer } from './sandbox-fno.js';
import { writeDemoRequests, type DemoRequest } from './sandbox-requests.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
// SANDBOX_DIR: another folder for the store and the request files (the sandbox test uses one of its own).
const dataDir = env.SANDBOX_DIR ?? `${root}.tmp/sandbox`;
mkdirSync(dataDir, { recursive: true });

const host = env.HOST ?? '127.0.0.1';
const port = Number(env.PORT ?? 8080);
const devKey = env.SANDBOX_API_KEY ?? `sandbox-${randomBytes(18).toString('base64url')}`;
const adminKey = env.SANDBOX_ADMIN_KEY ?? `admin-${randomBytes(18).toString('base64url')}`;
// The key in the business-event endpoint's URL (D365_EVENT_KEYS: at least 32 URL-safe characters).
const eventKey = env.SANDBOX_EVENT_KEY ?? randomBytes(32).toString('base64url');

// The emulators start empty of anything the last run did, so the store starts afresh too: a kept
// store would remember writes to a Salesforce org that no longer exists (the products flow would
// see nothing to write) and jobs for records that are gone. STORE_URL given: left alone.
if (!env.STORE_URL) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dataDir}/bridge.db${suffix}`, { force: true });
}

if (!env.NODE_EXTRA_CA_CERTS) {
  // MSAL only talks to https authorities; without the dev certificate trusted, every token request fails.
  console.error(
    'NODE_EXTRA_CA_CERTS is not set: start the sandbox with scripts/sandbox (it trusts the dev certificate).',
  );
  process.exit(2);
}

const closers: Array<() => Promise<void>> = [];
let stopping = false;
async function stop(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping…\n`);
  const timer = setTimeout(() => process.exit(1), 10_000).unref();
  for (const close of closers) await close().catch((err: unknown) => console.error('close failed:', err));
  clearTimeout(timer);
  process.exit(code);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

/** `wanted` when nothing listens there, otherwise 0 (an ephemeral port; the banner shows the real one). */
async function portOrEphemeral(wanted: number): Promise<number> {
  if (wanted === 0) return 0;
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(0))
      .once('listening', () => probe.close(() => resolve(wanted)))
      .listen(wanted, host);
  });
}

try {
  // ── 1. F&O emulator ───────────────────────────────────────────────────────────────────
  const d365 = await startD365Emulator({
    port: await portOrEphemeral(Number(env.SANDBOX_D365_PORT ?? 4010)),
    httpsPort: await portOrEphemeral(Number(env.SANDBOX_D365_HTTPS_PORT ?? 4443)),
    host,
    seed: 'demo',
  });
  closers.unshift(() => d365.close());
  const d365Https = d365.httpsUrl!;

  // ── 2. Salesforce emulator ────────────────────────────────────────────────────────────
  let salesforce: SalesforceEmulator | undefined;
  try {
    salesforce = await startSalesforceEmulator({
      port: await portOrEphemeral(Number(env.SANDBOX_SALESFORCE_PORT ?? 4020)),
      host,
      seed: 'demo',
    });
    const sf = salesforce;
    closers.unshift(() => sf.close());
  } catch (err) {
    // The sandbox stays useful for inventory without it.
    console.error('Salesforce emulator did not start:', err);
  }

  // ── 3. the proxy, configured as in production ─────────────────────────────────────────
  const config = loadConfig({
    ...env,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: host,
    LOG_FORMAT: env.LOG_FORMAT ?? 'pretty',
    STORE_URL: env.STORE_URL ?? `sqlite:${dataDir}/bridge.db`,
    // Demo mapping for the emulators' companies (usmf, usrt), unless one is given.
    BRIDGE_CONFIG: env.BRIDGE_CONFIG ?? `${root}test/fixtures/bridge.demo.json`,
    INBOUND_API_KEYS: devKey,
    ADMIN_API_KEYS: adminKey,
    D365_EVENT_KEYS: eventKey,
    D365_URL: d365Https,
    D365_TENANT_ID: d365.tenantId,
    D365_CLIENT_ID: d365.clientId,
    D365_CLIENT_SECRET: d365.clientSecret,
    ENTRA_AUTHORITY_HOST: d365Https,
    ...(salesforce?.privateKeyPem
      ? {
          SF_LOGIN_URL: salesforce.loginUrl,
          SF_CLIENT_ID: salesforce.consumerKey,
          SF_USERNAME: salesforce.username,
          SF_PRIVATE_KEY: salesforce.privateKeyPem,
          SF_API_VERSION: `${salesforce.apiVersion}`,
        }
      : {}),
  });
  const logger = pino(loggerOptions(config));
  const registry = createMetrics();
  const runtime = await createRuntime(config, { logger, registry });
  const app = await buildApp({ config, logger, registry, parts: runtime.parts });
  closers.unshift(() => app.close());
  let proxyUrl: string;
  try {
    proxyUrl = await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    console.error(
      `The proxy cannot listen on ${config.HOST}:${config.PORT} (${String(err)}); set PORT to a free port.`,
    );
    throw err;
  }

  // The demo customer of the F&O → Salesforce flows (sandbox-fno.ts), before the request files
  // are written: Fabrikam's then carries its D365 Customer Number, as the Queueable's would.
  let customer: SandboxCustomer | undefined;
  try {
    if (salesforce && runtime.salesforce) customer = seedDemoCustomer(d365.control, salesforce.control);
  } catch (err) {
    // The rest of the sandbox (inventory, flows 1–3) does not need it.
    console.error('the demo customer could not be set up; F&O → Salesforce is left out:', err);
  }

  // Ready-to-send sync requests for the demo records (read from the Salesforce emulator).
  const requests: DemoRequest[] = runtime.salesforce
    ? await writeDemoRequests(runtime.salesforce, `${dataDir}/requests`)
    : [];

  // ── 4. widget preview ─────────────────────────────────────────────────────────────────
  const build = await buildPreview();
  const preview = await startPreviewServer({
    proxyUrl,
    apiKey: devKey,
    host,
    port: await portOrEphemeral(Number(env.SANDBOX_PREVIEW_PORT ?? 8090)),
    ...(salesforce ? { salesforceUrl: salesforce.url } : {}),
  });
  closers.unshift(() => preview.close());

  // ── 5. F&O → Salesforce: the demo customer, the business-event endpoint, flows 4, 6, 7 ──
  const eventsUrl = `${proxyUrl}/v1/events/d365/${eventKey}`;
  let runs: FlowRun[] = [];
  let eventsRegistered = false;
  if (customer) {
    // The invoices above are history (swept, not sent as events); the endpoint comes after them.
    const test = await d365.control.registerBusinessEventEndpoint(eventsUrl);
    eventsRegistered = test.delivered;
    process.stdout.write('running the products, invoice sweep and payment status flows once…\n');
    const oldest = Math.min(...customer.invoices.map((i) => Date.parse(i.invoiceDate)));
    runs = await runFnoFlowsOnce(proxyUrl, adminKey, new Date(oldest).toISOString().slice(0, 10));
  }

  const d365Http = d365.url;
  const inventoryUrl = `${proxyUrl}/v1/inventory?items=D0001,L0002,P0003&company=usmf`;
  const post = (r: DemoRequest) =>
    `curl -s -H 'Authorization: Bearer ${devKey}' -H 'content-type: application/json' --data @${r.file} ${proxyUrl}${r.path}`;
  const [accountRequest] = requests;
  const accountId = accountRequest
    ? String(JSON.parse(readFileSync(accountRequest.file, 'utf8')).records[0].Id)
    : '';
  const banner = [
    '',
    'F&O Bridge sandbox is running',
    '',
    `  widget preview  ${preview.url}   (${build.rebuilt ? `built in ${build.ms} ms` : 'build up to date'})`,
    ...DEMO_OPPORTUNITIES.map((o) => `                  ${preview.url}?opportunity=${o.Id}  ${o.Name}`),
    `  account card    ${preview.url}account   (the F&O standing and invoices of the demo Accounts)`,
    '',
    `  proxy           ${proxyUrl}`,
    `  API docs        ${proxyUrl}/docs`,
    `  health          ${proxyUrl}/healthz   readiness ${proxyUrl}/readyz   metrics ${proxyUrl}/metrics`,
    `  store           ${config.STORE_URL}`,
    `  mapping         ${config.BRIDGE_CONFIG}`,
    `  inventory       INVENTORY_TTL_S=${config.INVENTORY_TTL_S}  INVENTORY_REFRESH_WAIT_MS=${config.INVENTORY_REFRESH_WAIT_MS}`,
    '',
    `  F&O emulator    ${d365Https}   (D365_URL and ENTRA_AUTHORITY_HOST of the proxy)`,
    `                  ${d365Http}    control API ${d365Http}/_emulator`,
    `                  tenant ${d365.tenantId}, client ${d365.clientId} / ${d365.clientSecret}, companies usmf, usrt`,
    salesforce
      ? `  Salesforce emu  ${salesforce.url}   control API ${salesforce.url}/_emulator  (user ${salesforce.username}, consumer key ${salesforce.consumerKey})`
      : '  Salesforce emu  (not started, see the error above)',
    '',
    `  dev API key     ${devKey}`,
    `  admin key       ${adminKey}`,
    '',
    '  try:',
    `    curl -s -H 'Authorization: Bearer ${devKey}' '${inventoryUrl}'`,
    ...(accountRequest && salesforce
      ? [
          `  sync the demo Account to F&O, then see the customer number written back to Salesforce:`,
          `    ${post(accountRequest)}`,
          `    curl -s ${salesforce.url}/_emulator/records/Account/${accountId}`,
          `  then the Contact, the won Opportunity and the failures: the files in ${dataDir}/requests/ (docs/sandbox.md)`,
        ]
      : []),
    ...(customer && salesforce
      ? fnoBanner({
          customer,
          runs,
          eventsUrl,
          eventsRegistered,
          adminKey,
          proxyUrl,
          previewUrl: preview.url,
          fno: `${d365Http}/_emulator`,
          sf: `${salesforce.url}/_emulator`,
        })
      : []),
    '  make F&O throttle (then press refresh in the widget after the TTL: Stale badge), and stop it again:',
    `    curl -s -X POST -H 'content-type: application/json' -d '{"fail5xx":{"count":1000,"status":429,"retryAfterS":30}}' ${d365Http}/_emulator/faults`,
    `    curl -s -X DELETE ${d365Http}/_emulator/faults`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${banner.join('\n')}\n`);
} catch (err) {
  console.error('sandbox failed to start:', err);
  await stop('startup failure', 1);
}

/** The banner's F&O → Salesforce part: what ran at start and a copy-paste command per step. */
function fnoBanner(o: {
  customer: SandboxCustomer;
  runs: FlowRun[];
  eventsUrl: string;
  eventsRegistered: boolean;
  adminKey: string;
  proxyUrl: string;
  previewUrl: string;
  fno: string;
  sf: string;
}): string[] {
  const { customer: c } = o;
  const json = (body: unknown) => `-H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  const run = (flow: string) =>
    `curl -s -X POST -H 'Authorization: Bearer ${o.adminKey}' ${json({})} ${o.proxyUrl}/v1/flows/${flow}/run`;
  const [overdue, open] = c.invoices;
  const who = { company: c.company, customerAccount: c.customerAccount };
  const accountPage = `${o.previewUrl}account?account=${previewAccountId(c.accountName)}`;
  const opportunityPage = `${o.previewUrl}?opportunity=${previewOpportunityId(c.accountName)}`;
  const ran = o.runs
    .map((r) => `${r.flow} ${r.state}${r.error ? ` (${r.error})` : ''} in ${(r.ms / 1000).toFixed(1)} s`)
    .join(', ');
  return [
    '',
    `  F&O → Salesforce (docs/sandbox.md, "From F&O to Salesforce"); demo customer ${c.accountName} = ${c.customerAccount} in ${c.company}`,
    `  at start: ${ran}`,
    `  business events ${o.eventsRegistered ? 'registered with the F&O emulator' : 'NOT registered (the test event failed, see the log)'}; to register the endpoint again (after a reset):`,
    `    curl -s -X POST ${json({ url: o.eventsUrl })} ${o.fno}/business-events/endpoints`,
    `  products and prices (flow 4) in Salesforce, and the run again:`,
    `    curl -s ${o.sf}/records/Product2        curl -s ${o.sf}/records/PricebookEntry`,
    `    ${run('products')}`,
    `  post an invoice in F&O: it is on the Account within seconds (flow 6, by business event):`,
    `    curl -s -X POST ${json({ ...who, lines: [{ itemNumber: 'D0001', quantity: 2 }] })} ${o.fno}/invoices`,
    `    curl -s ${o.sf}/records/Invoice__c`,
    `  payments, hold, overdue (flow 7): one of these, then run the payment status flow (hourly otherwise):`,
    ...(open
      ? [
          `    partial payment, ${open.invoiceNumber} → Partially paid, ${money(open.remaining - 1000)} remaining:`,
          `      curl -s -X POST ${json({ ...who, invoiceNumber: open.invoiceNumber, amount: 1000 })} ${o.fno}/payments`,
        ]
      : []),
    ...(overdue
      ? [
          `    full payment, ${overdue.invoiceNumber} (Overdue now) → Paid:`,
          `      curl -s -X POST ${json({ ...who, invoiceNumber: overdue.invoiceNumber, amount: overdue.remaining })} ${o.fno}/payments`,
        ]
      : []),
    `    an invoice 45 days old, due after 30, unpaid → Overdue:`,
    `      curl -s -X POST ${json({ ...who, lines: [{ itemNumber: 'S0020', quantity: 3 }], invoiceDate: daysAgo(45), dueDays: 30 })} ${o.fno}/invoices`,
    `    the customer on hold → badge on the Account card, warning in the Opportunity's widget:`,
    `      curl -s -X POST ${json({ ...who, onHoldStatus: 'All' })} ${o.fno}/customer-standing`,
    `    ${run('payments')}`,
    `  see it: ${accountPage}`,
    `          ${opportunityPage}`,
  ];
}

function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function previewAccountId(name: string): string {
  return DEMO_PREVIEW_ACCOUNTS.find((a) => a.Name === name)?.Id ?? '';
}

function previewOpportunityId(accountName: string): string {
  return DEMO_OPPORTUNITIES.find((o) => o.Account.Name === accountName)?.Id ?? '';
}
