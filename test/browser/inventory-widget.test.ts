/**
 * The `d365Inventory` widget in a real browser, end to end: Chromium loads the local preview
 * (the unchanged force-app component + the Apex stand-in), which calls the proxy (built from
 * config as in production), which reads the F&O emulator. What a rep sees is checked against
 * the emulator's own rows. Screenshots land in test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { buildApp } from '../../proxy/src/app.js';
import { loadConfig } from '../../proxy/src/config.js';
import { createMetrics } from '../../proxy/src/metrics.js';
import { createRuntime } from '../../proxy/src/runtime.js';
import { startD365Emulator, type D365Emulator } from '../emulators/d365/index.js';
import { buildPreview } from '../lwc-preview/build.js';
import { startPreviewServer, type PreviewServer } from '../lwc-preview/server.js';
import { hasChromium, launchChromium, CHROMIUM_PATH, type Chromium } from './chromium.js';

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const KEY = 'browser-test-key-0123456789';
// Demo opportunities (test/lwc-preview/src/demo-opportunities.js).
const CONFERENCE_ROOMS = '006DM0000000001AAA'; // usmf: enough, short, not found, no item number
const STORE_ROLLOUT = '006DM0000000002AAA'; // usrt: never read before the throttling step
const NO_PRODUCTS = '006DM0000000003AAA'; // Fabrikam: on hold, over its credit limit
const NO_LEGAL_ENTITY = '006DM0000000004AAA';
const UNKNOWN_COMPANY = '006DM0000000005AAA';

interface ShownLine {
  product: string;
  itemNumber: string;
  quantity: number;
  available: string;
  reserved: string;
  onOrder: string;
  status: string;
}

const num = (text: string) => Number(text.replace(/,/g, ''));

describe('d365Inventory widget in Chromium', () => {
  let emu: D365Emulator;
  let proxy: FastifyInstance;
  let preview: PreviewServer;
  let browser: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  /** Sums of the emulator's WarehousesOnHandV2 rows of one item, as the widget shows them. */
  function emulatorTotals(item: string, company = 'usmf') {
    const rows = emu.control.rows('WarehousesOnHandV2', { company }).filter((r) => r.ItemNumber === item);
    const sum = (field: string) => rows.reduce((s, r) => s + Number(r[field]), 0);
    return {
      rows,
      available: sum('AvailableOnHandQuantity'),
      reserved: sum('ReservedOnHandQuantity'),
      onOrder: sum('OnOrderQuantity'),
    };
  }

  async function shownLines(): Promise<ShownLine[]> {
    return page.$$eval('c-d365-inventory tr.line', (rows) =>
      rows.map((row) => {
        const text = (selector: string) => row.querySelector(selector)?.textContent?.trim() ?? '';
        return {
          product: text('.product'),
          itemNumber: text('th[scope=row] div:nth-child(2)'),
          quantity: Number(text('.quantity').replace(/,/g, '')),
          available: text('.available'),
          reserved: text('.reserved'),
          onOrder: text('.on-order'),
          status: text('.status'),
        };
      }),
    );
  }

  async function open(opportunityId: string): Promise<void> {
    await page.selectOption('#opportunity', opportunityId);
    await page.waitForSelector('c-d365-inventory lightning-spinner', { state: 'detached' });
  }

  const screenshot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

  beforeAll(async () => {
    // A missing browser fails these tests (never skips them): scripts/setup installs it.
    if (!hasChromium)
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run scripts/setup (or set CHROMIUM_PATH)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const [emulator] = await Promise.all([
      startD365Emulator({ httpsPort: false, latency: { readMs: 5, writeMs: 5, jitter: 0 } }),
      buildPreview(),
    ]);
    emu = emulator;
    // TTL 0: every refresh asks F&O, so throttling shows at once; 300 ms before serving stale.
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      STORE_URL: 'sqlite::memory:',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      INBOUND_API_KEYS: KEY,
      D365_URL: emu.url,
      D365_TENANT_ID: emu.tenantId,
      D365_CLIENT_ID: emu.clientId,
      D365_CLIENT_SECRET: emu.clientSecret,
      INVENTORY_TTL_S: '0',
      INVENTORY_REFRESH_WAIT_MS: '300',
    });
    const logger = pino({ level: 'silent' });
    const registry = createMetrics({ defaultMetrics: false });
    const runtime = await createRuntime(config, {
      logger,
      registry,
      // MSAL needs an https authority; keep Microsoft's and post tokens to the emulator (MSAL's authorityMetadata).
      d365Overrides: {
        authorityMetadataOverride: { tokenEndpoint: `${emu.url}/${emu.tenantId}/oauth2/v2.0/token` },
      },
    });
    proxy = await buildApp({ config, logger, registry, parts: runtime.parts });
    const proxyUrl = await proxy.listen({ port: 0, host: '127.0.0.1' });
    preview = await startPreviewServer({ proxyUrl, apiKey: KEY });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(5_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${preview.url}?opportunity=${CONFERENCE_ROOMS}`);
    await page.waitForSelector('c-d365-inventory tr.line');
  });

  afterAll(async () => {
    await browser?.close();
    await preview?.close();
    await proxy?.close();
    await emu?.close();
  });

  it('shows every product of the opportunity with the quantities F&O has', async () => {
    const lines = await shownLines();
    expect(lines.map((l) => l.itemNumber)).toEqual(['D0001', 'L0002', 'P0003', 'Z9999', '—']);
    for (const line of lines.slice(0, 3)) {
      const expected = emulatorTotals(line.itemNumber);
      expect(expected.rows.length, `${line.itemNumber} is in the demo seed`).toBeGreaterThan(0);
      expect({
        item: line.itemNumber,
        available: num(line.available),
        reserved: num(line.reserved),
        onOrder: num(line.onOrder),
      }).toEqual({
        item: line.itemNumber,
        available: expected.available,
        reserved: expected.reserved,
        onOrder: expected.onOrder,
      });
    }
    // Not in F&O / no item number: no figures, a dash.
    expect(lines.slice(3).map((l) => l.available)).toEqual(['—', '—']);
    await expect(page.textContent('c-d365-inventory .as-of')).resolves.toMatch(/^as of \d\d:\d\d:\d\d$/);
    expect(await page.$('c-d365-inventory .stale-badge')).toBeNull();
    await screenshot('inventory-lines');
    await page.locator('c-d365-inventory').screenshot({ path: `${SCREENSHOTS}inventory-card.png` });
  });

  it('says per line whether the stock is enough or by how much it is short', async () => {
    const lines = await shownLines();
    const statuses = lines.map((line) => {
      if (line.itemNumber === '—') return 'No item number';
      const { rows, available } = emulatorTotals(line.itemNumber);
      if (rows.length === 0) return 'Not found in F&O';
      return line.quantity > available
        ? `Short by ${(line.quantity - available).toLocaleString('en-US')}`
        : 'Enough';
    });
    expect(lines.map((l) => l.status)).toEqual(statuses);
    // The demo keeps both cases on screen.
    expect(statuses).toContain('Enough');
    expect(statuses.some((s) => s.startsWith('Short by'))).toBe(true);
  });

  it('expands the per-warehouse detail of a line', async () => {
    // The D0001 line (its label flips between "Show…" and "Hide…", so it is found by line id).
    const toggle = page.locator('c-d365-inventory button.toggle[data-line-id="00kDM0000000101AAA"]');
    await expect(toggle.getAttribute('aria-label')).resolves.toBe('Show warehouses for Speaker Mini');
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(toggle.getAttribute('aria-label')).resolves.toBe('Hide warehouses for Speaker Mini');
    const shown = await page.$$eval('c-d365-inventory tr.detail tr.location', (rows) =>
      rows.map((r) => Array.from(r.children, (c) => c.textContent?.trim() ?? '')),
    );
    const expected = emulatorTotals('D0001').rows.map((r) => [
      String(r.InventorySiteId),
      String(r.InventoryWarehouseId),
      Number(r.AvailableOnHandQuantity).toLocaleString('en-US'),
      Number(r.ReservedOnHandQuantity).toLocaleString('en-US'),
      Number(r.OnOrderQuantity).toLocaleString('en-US'),
    ]);
    expect(shown.sort()).toEqual(expected.sort());
    await screenshot('inventory-warehouses');
    await toggle.click();
    await expect(page.$$('c-d365-inventory tr.detail')).resolves.toHaveLength(0);
  });

  it('tells the rep what to fix when the opportunity cannot be asked about', async () => {
    await open(UNKNOWN_COMPANY);
    await expect(page.textContent('c-d365-inventory .error')).resolves.toContain('F&O has no company "zzzz"');
    await open(NO_LEGAL_ENTITY);
    await expect(page.textContent('c-d365-inventory .error')).resolves.toContain('has no D365 Legal Entity');
    await open(NO_PRODUCTS);
    await expect(page.textContent('c-d365-inventory .empty')).resolves.toContain('no products yet');
    // Fabrikam is on hold for All and over its credit limit in the demo world: warned before Closed Won.
    const warning = await page.textContent('c-d365-inventory .customer-warning');
    expect(warning).toContain('F&O has this customer on hold (All): it will refuse a sales order');
    expect(warning).toContain('over its F&O credit limit');
    await page.locator('c-d365-inventory').screenshot({ path: `${SCREENSHOTS}inventory-on-hold.png` });
  });

  it('keeps showing the last figures with a Stale badge when F&O throttles a refresh', async () => {
    await open(CONFERENCE_ROOMS);
    expect(await page.$('c-d365-inventory .customer-warning')).toBeNull();
    const before = await shownLines();
    emu.control.faults({ fail5xx: { count: 1000, status: 429, retryAfterS: 30 } });
    await page.click('c-d365-inventory lightning-button-icon button');
    await page.waitForSelector('c-d365-inventory .stale-badge');
    expect(await shownLines()).toEqual(before);
    expect(emu.control.counters().throttled429).toBeGreaterThan(0);
    await screenshot('inventory-stale');
  });

  it('says F&O is busy, and for how long, when nothing is cached yet', async () => {
    await open(STORE_ROLLOUT);
    const message = await page.textContent('c-d365-inventory .throttled');
    expect(message).toMatch(/F&O is busy, try again in \d+ seconds?\./);
    expect(await page.$$('c-d365-inventory tr.line')).toHaveLength(0);
    await screenshot('inventory-throttled');
    expect(pageErrors).toEqual([]);
  });
});
