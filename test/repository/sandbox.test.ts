/**
 * scripts/sandbox as a newcomer uses it (docs/sandbox.md, "From F&O to Salesforce"): started from
 * the shell on ephemeral ports, then the banner's own copy-paste commands are run as printed —
 * products and prices are in Salesforce, an invoice posted in F&O reaches the demo Account by
 * business event, a partial payment shows Partially paid with what remains, a full one Paid, an
 * unpaid invoice past due Overdue, a hold reaches the Account and the preview's pages, where
 * Chromium sees the card's badge and the widget's warning
 * (screenshots in test-results/screenshots/sandbox-*.png, the source of docs/images/sandbox-*.png).
 * Everything over HTTP, each step bounded in time.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, CHROMIUM_PATH } from '../browser/chromium.js';
import { DEMO_FNO_CUSTOMER } from '../fixtures/demo-world.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fobridge-sandbox-'));
const START_TIMEOUT_MS = 120_000;
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

type Row = Record<string, unknown>;
let child: ChildProcess;
let output = '';
let banner: string[] = [];

/** The first URL on the banner line that contains `label`. */
function urlAfter(label: string): string {
  const line = banner.find((l) => l.includes(label));
  const url = line?.slice(line.indexOf(label)).match(/https?:\/\/[^\s']+/)?.[0];
  if (!url) throw new Error(`no URL after "${label}" in the banner:\n${banner.join('\n')}`);
  return url.replace(/\/$/, '');
}

/** The first `curl` line after the banner line that contains `heading`, as printed. */
function commandAfter(heading: string): string {
  const start = banner.findIndex((l) => l.includes(heading));
  const line = banner.slice(start + 1).find((l) => l.trim().startsWith('curl '));
  if (start < 0 || !line) throw new Error(`no command after "${heading}" in the banner`);
  return line.trim();
}

/** Runs a banner command in bash, as pasted into a terminal; its output parsed as JSON. */
async function paste(command: string): Promise<Row> {
  const { stdout } = await promisify(execFile)('bash', ['-c', command], { timeout: 15_000 });
  return JSON.parse(stdout) as Row;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** Polls `probe` until it returns a value, at most `ms`; the last value seen is in the error. */
async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (${String(last ?? '')})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // scripts/sandbox sets it, as on a fresh shell
  delete env.STORE_URL; // the sandbox's own store, in SANDBOX_DIR
  child = spawn('scripts/sandbox', [], {
    cwd: root,
    env: {
      ...env,
      PORT: '0',
      SANDBOX_D365_PORT: '0',
      SANDBOX_D365_HTTPS_PORT: '0',
      SANDBOX_SALESFORCE_PORT: '0',
      SANDBOX_PREVIEW_PORT: '0',
      SANDBOX_DIR: dir,
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await within(START_TIMEOUT_MS, 'the sandbox banner', async () =>
    output.includes('Ctrl-C stops everything.') ? true : undefined,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${output.slice(-3000)}`);
  });
  banner = output.split('\n').filter((l) => !l.startsWith('{'));
}, START_TIMEOUT_MS + 5_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

// Each step waits at most 10–20 s for what it checks; the whole walkthrough shares a loaded machine.
describe('scripts/sandbox: from F&O to Salesforce', { timeout: 60_000 }, () => {
  it('ran the products, invoice sweep and payment status flows at start', () => {
    expect(banner.find((l) => l.includes('at start:'))).toMatch(
      /at start: products done in [\d.]+ s, invoices done in [\d.]+ s, payments done in [\d.]+ s$/,
    );
    expect(output).toContain('business events registered with the F&O emulator');
  });

  it("has F&O's released products in Product2, with prices in the standard and the company price book", async () => {
    const fno = urlAfter('control API');
    const sf = `${urlAfter('Salesforce emu')}/_emulator`;
    const released = (await getJson<{ value: Row[] }>(`${fno}/rows/ReleasedProductsV2?company=usmf`)).value;
    const products = await getJson<Row[]>(`${sf}/records/Product2`);
    const byItem = new Map(products.map((p) => [p.D365_Item_Number__c, p]));
    for (const r of released) expect(byItem.get(r.ItemNumber), String(r.ItemNumber)).toBeDefined();
    const keys = new Set(
      (await getJson<Row[]>(`${sf}/records/PricebookEntry`)).map((e) => e.D365_Price_Key__c),
    );
    for (const r of released) expect(keys).toContain(`F&O USMF|USD|${String(r.ItemNumber)}`);
    // The demo org's own products had a standard price typed by hand (no key): flow 4 takes those
    // over, so every released item's standard price is F&O's.
    for (const r of released) expect(keys).toContain(`Standard|USD|${String(r.ItemNumber)}`);
  });

  it('an invoice posted in F&O with the printed command is on the demo Account within seconds', async () => {
    const sf = `${urlAfter('Salesforce emu')}/_emulator`;
    const posted = await paste(commandAfter('post an invoice in F&O'));
    const id = `${DEMO_FNO_CUSTOMER.company.toUpperCase()}|${String(posted.invoiceNumber)}`;
    const account = (await getJson<Row[]>(`${sf}/records/Account`)).find(
      (a) => a.D365_Customer_Number__c === DEMO_FNO_CUSTOMER.customerAccount,
    );
    const invoice = await within(10_000, `Invoice__c ${id}`, async () =>
      (await getJson<Row[]>(`${sf}/records/Invoice__c`)).find((i) => i.D365_Invoice_Id__c === id),
    );
    expect(invoice.Account__c).toBe(account?.Id);
    expect(invoice.Total_Amount__c).toBe(posted.amount);
  });

  it('a partial payment shows Partially paid with the remaining amount, after the printed run', async () => {
    const sf = `${urlAfter('Salesforce emu')}/_emulator`;
    const heading = banner.find((l) => l.includes('partial payment'))!;
    const [, invoiceNumber, remaining] = /partial payment, (\S+) → Partially paid, ([\d,.]+) remaining/.exec(
      heading,
    )!;
    const payment = await paste(commandAfter('partial payment'));
    expect(payment.settled).toEqual([expect.objectContaining({ invoiceNumber, fullySettled: false })]);
    const run = await paste(paymentsRun());
    expect(run).toMatchObject({ flow: 'payments' });
    const invoice = await within(20_000, `${invoiceNumber} Partially paid`, async () => {
      const found = (await getJson<Row[]>(`${sf}/records/Invoice__c`)).find((i) => i.Name === invoiceNumber);
      return found?.Payment_Status__c === 'Partially paid' ? found : undefined;
    });
    expect(invoice.Amount_Remaining__c).toBe(Number(remaining!.replace(/,/g, '')));
  });

  it('a full payment shows Paid, and an unpaid invoice past its due date Overdue', async () => {
    const sf = `${urlAfter('Salesforce emu')}/_emulator`;
    const paid = /full payment, (\S+)/.exec(banner.find((l) => l.includes('full payment'))!)![1]!;
    await paste(commandAfter('full payment'));
    const late = await paste(commandAfter('45 days old'));
    const lateId = `${DEMO_FNO_CUSTOMER.company.toUpperCase()}|${String(late.invoiceNumber)}`;
    // The old invoice comes by business event first; the run then decides both statuses.
    await within(10_000, `Invoice__c ${lateId}`, async () =>
      (await getJson<Row[]>(`${sf}/records/Invoice__c`)).find((i) => i.D365_Invoice_Id__c === lateId),
    );
    await paste(paymentsRun());
    await within(20_000, `${paid} Paid and ${String(late.invoiceNumber)} Overdue`, async () => {
      const invoices = await getJson<Row[]>(`${sf}/records/Invoice__c`);
      const status = (name: unknown) => invoices.find((i) => i.Name === name)?.Payment_Status__c;
      return status(paid) === 'Paid' && status(late.invoiceNumber) === 'Overdue' ? true : undefined;
    });
  });

  it('a customer put on hold reaches the Account, and the preview pages read it from the org', async () => {
    const preview = urlAfter('widget preview');
    await paste(commandAfter('the customer on hold'));
    await paste(paymentsRun());
    const fabrikam = await within(20_000, 'the hold on the Account', async () => {
      const accounts = await getJson<Row[]>(`${preview}/salesforce/accounts`);
      const account = accounts.find((a) => a.D365_Customer_Number__c === DEMO_FNO_CUSTOMER.customerAccount);
      return account?.D365_On_Hold_Status__c === 'All' ? account : undefined;
    });
    expect((fabrikam.Invoices as Row[]).length).toBeGreaterThanOrEqual(2);
  });

  it('in Chromium, the Account card shows the hold badge and the Opportunity widget its warning', async () => {
    // A missing browser fails this test (never skips it): scripts/setup installs it.
    if (!hasChromium)
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run scripts/setup (or set CHROMIUM_PATH)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      // The banner's "see it" links: the demo customer's Account page, then its Opportunity.
      const [accountPage, opportunityPage] = banner
        .slice(banner.findIndex((l) => l.includes('see it:')))
        .slice(0, 2)
        .map((l) => /https?:\/\/\S+/.exec(l)![0]);
      await page.goto(accountPage!);
      const card = page.locator('c-d365-account-standing');
      await expect(card.locator('.on-hold').textContent()).resolves.toBe('On hold: All');
      // The invoices are the org's: F&O's numbers, with the partial payment's status.
      await expect(card.locator('tr.invoice').count()).resolves.toBeGreaterThanOrEqual(3);
      await expect(card.textContent()).resolves.toContain('Partially paid');
      await card.screenshot({ path: `${SCREENSHOTS}sandbox-standing-on-hold.png` });
      await page.goto(opportunityPage!);
      const widget = page.locator('c-d365-inventory');
      await expect(widget.locator('.customer-warning').textContent()).resolves.toContain(
        'F&O has this customer on hold (All)',
      );
      await widget.screenshot({ path: `${SCREENSHOTS}sandbox-inventory-on-hold.png` });
    } finally {
      await browser.close();
    }
  });

  it('the unknown-item failure still plays out with the demo customer linked: Fabrikam stays US-101', async () => {
    // docs/sandbox.md, "Make each failure happen": the request files, sent with the dev key.
    const proxy = urlAfter('  proxy ');
    const sf = `${urlAfter('Salesforce emu')}/_emulator`;
    const key = banner
      .find((l) => l.includes('dev API key'))!
      .trim()
      .split(/\s+/)
      .pop()!;
    const send = async (file: string, path: string) => {
      const res = await fetch(`${proxy}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: readFileSync(join(dir, 'requests', file)),
      });
      expect(res.status).toBe(202);
      return (JSON.parse(readFileSync(join(dir, 'requests', file), 'utf8')) as { records: Row[] })
        .records[0]!;
    };
    const record = (object: string, id: unknown) => getJson<Row>(`${sf}/records/${object}/${String(id)}`);
    const account = await send('fail-unknown-item-account.json', '/v1/sync/accounts');
    expect(account.D365_Customer_Number__c).toBe(DEMO_FNO_CUSTOMER.customerAccount);
    await within(20_000, 'Fabrikam synced', async () =>
      (await record('Account', account.Id)).D365_Last_Synced__c ? true : undefined,
    );
    const synced = await record('Account', account.Id);
    expect([synced.D365_Sync_Status__c, synced.D365_Customer_Number__c]).toEqual([
      'Synced',
      DEMO_FNO_CUSTOMER.customerAccount,
    ]);
    const order = await send('fail-unknown-item.json', '/v1/orders');
    const failed = await within(20_000, 'the order marked Error', async () => {
      const opportunity = await record('Opportunity', order.Id);
      return opportunity.D365_Sync_Status__c === 'Error' ? opportunity : undefined;
    });
    expect(failed.D365_Sync_Error__c).toContain('Z9999');
  });

  it('prints the business-event key only once: in the banner, never in the log', () => {
    const key = /\/v1\/events\/d365\/([A-Za-z0-9_-]{32,})/.exec(output)?.[1];
    expect(key).toBeDefined();
    expect(output.split(key!).length - 1).toBe(1);
  });
});

/** The printed `POST /v1/flows/payments/run`. */
function paymentsRun(): string {
  const line = banner.find((l) => l.includes('/v1/flows/payments/run'));
  if (!line) throw new Error('no payments run in the banner');
  return line.trim();
}
