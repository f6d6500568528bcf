/**
 * The `d365AccountStanding` card in a real browser: Chromium loads the local Account preview
 * (the unchanged force-app component + the Apex stand-in over the demo world's Accounts,
 * standings and invoices). What a rep sees is checked against the demo world. The card reads
 * Salesforce data only, so no proxy or F&O emulator is involved. Screenshots land in
 * test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_INVOICES, DEMO_STANDINGS } from '../fixtures/demo-world.js';
import { buildPreview } from '../lwc-preview/build.js';
import { previewAccount } from '../lwc-preview/src/demo-accounts.js';
import { startPreviewServer, type PreviewServer } from '../lwc-preview/server.js';
import { hasChromium, launchChromium, CHROMIUM_PATH, type Chromium } from './chromium.js';

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const CARD = 'c-d365-account-standing';

const idOf = (key: string) => {
  const account = previewAccount(key);
  if (!account) throw new Error(`no preview account ${key}`);
  return account.Id;
};
/** "$18,420.40" / "CA$6,329.80" → 18420.4 */
const amount = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));
const standingOf = (key: string) => DEMO_STANDINGS.find((s) => s.account === key)!;

describe('d365AccountStanding card in Chromium', () => {
  let preview: PreviewServer;
  let browser: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  async function open(key: string): Promise<void> {
    await page.selectOption('#account', idOf(key));
    await page.waitForSelector(`${CARD} lightning-spinner`, { state: 'detached' });
  }

  const text = (selector: string) => page.textContent(`${CARD} ${selector}`).then((t) => t?.trim() ?? '');
  const invoiceNumbers = () =>
    page.$$eval(`${CARD} tr.invoice .invoice-number`, (links) => links.map((a) => a.textContent?.trim()));

  beforeAll(async () => {
    // A missing browser fails these tests (never skips them): scripts/setup installs it.
    if (!hasChromium)
      throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run scripts/setup (or set CHROMIUM_PATH)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await buildPreview();
    // The card makes no callout: the proxy address is never used.
    preview = await startPreviewServer({
      proxyUrl: 'http://127.0.0.1:9',
      apiKey: 'unused-by-the-account-page',
    });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(5_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${preview.url}account?account=${idOf('contoso-retail')}`);
    await page.waitForSelector(`${CARD} tr.invoice`);
  });

  afterAll(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('shows the standing the bridge wrote: balance, overdue, credit limit and the credit used', async () => {
    const standing = standingOf('contoso-retail');
    expect(amount(await text('.balance'))).toBe(standing.balance);
    expect(amount(await text('.overdue-amount'))).toBe(standing.overdue);
    expect(amount(await text('.credit-limit'))).toBe(standing.creditLimit);
    const used = Math.round((standing.balance * 1000) / standing.creditLimit) / 10;
    await expect(text('.credit-used')).resolves.toBe(`${used}% of the credit limit used`);
    const bar = page.locator(`${CARD} [role=progressbar] .slds-progress-bar__value`);
    const width = await bar.evaluate((el) => el.getBoundingClientRect().width);
    const full = await page
      .locator(`${CARD} [role=progressbar]`)
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(width / full).toBeCloseTo(used / 100, 1);
    expect(await page.$(`${CARD} .on-hold`)).toBeNull();
    expect(await page.$(`${CARD} .stale-badge`)).toBeNull();
  });

  it('lists the open and recent invoices newest first, linked to their records', async () => {
    const expected = DEMO_INVOICES.filter(
      (i) => i.account === 'contoso-retail' && (i.status !== 'Paid' || i.invoiceInDays >= -90),
    )
      .sort((a, b) => b.invoiceInDays - a.invoiceInDays)
      .map((i) => i.number);
    expect(expected).not.toContain('CIV-000102'); // the old paid one stays out
    await expect(invoiceNumbers()).resolves.toEqual(expected);
    const links = await page.$$eval(`${CARD} tr.invoice a`, (as) => as.map((a) => a.getAttribute('href')));
    expect(links[0]).toBe('/lightning/r/Invoice__c/a0IDM0000000001AAA/view');
    const pills = await page.$$eval(`${CARD} .status-pill`, (spans) =>
      spans.map((s) => s.textContent?.trim()),
    );
    expect(pills).toEqual(['Open', 'Partially paid', 'Overdue', 'Paid']);
  });

  it('shows the due date of an overdue invoice in red, and only that one', async () => {
    const colors = await page.$$eval(`${CARD} tr.invoice .due-date`, (cells) =>
      cells.map((c) => getComputedStyle(c).color),
    );
    const overdue = colors[2]!;
    expect(colors.filter((c) => c === overdue)).toHaveLength(1);
    const [r, g, b] = overdue.match(/\d+/g)!.map(Number);
    expect(r).toBeGreaterThan(150);
    expect(g! + b!).toBeLessThan(120);
    await page.locator(CARD).screenshot({ path: `${SCREENSHOTS}standing-contoso.png` });
  });

  it('sorts by remaining amount, both ways', async () => {
    const header = page.locator(`${CARD} button.sort[data-field="amountRemaining"]`);
    await header.click();
    const rows = () =>
      page.$$eval(`${CARD} tr.invoice .remaining`, (cells) => cells.map((c) => c.textContent?.trim() ?? ''));
    const ascending = (await rows()).map(amount);
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await expect(
      page.locator(`${CARD} th:has(button[data-field="amountRemaining"])`).getAttribute('aria-sort'),
    ).resolves.toBe('ascending');
    await header.click();
    const descending = (await rows()).map(amount);
    expect(descending).toEqual([...ascending].reverse());
  });

  it('shows a red on-hold badge and a full red bar for a customer F&O will block', async () => {
    await open('fabrikam');
    await expect(text('.on-hold')).resolves.toBe('On hold: All');
    const badge = await page
      .locator(`${CARD} .on-hold`)
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(badge).not.toBe('rgba(0, 0, 0, 0)');
    await expect(page.getAttribute(`${CARD} [role=progressbar]`, 'aria-valuenow')).resolves.toBe('100');
    await expect(text('.credit-used')).resolves.toBe('122.5% of the credit limit used');
    await page.locator(CARD).screenshot({ path: `${SCREENSHOTS}standing-on-hold.png` });
  });

  it('shows amounts in the invoice currency, "No limit", and a Stale badge after missed refreshes', async () => {
    await open('adventure-works');
    await expect(text('.credit-limit')).resolves.toBe('No limit');
    expect(await page.$(`${CARD} [role=progressbar]`)).toBeNull();
    await expect(text('.stale-badge')).resolves.toBe('Stale');
    const totals = await page.$$eval(`${CARD} tr.invoice .total`, (cells) => cells.map((c) => c.textContent));
    expect(totals.every((t) => /CA\$|CAD/.test(t ?? ''))).toBe(true);
  });

  it('says so when F&O has sent nothing for the account', async () => {
    await open('northwind');
    await expect(text('.empty')).resolves.toContain('has not sent a standing');
    expect(await page.$$(`${CARD} table`)).toHaveLength(0);
    expect(pageErrors).toEqual([]);
  });
});
