import { createElement } from 'lwc';
import D365AccountStanding from 'c/d365AccountStanding';
import getStanding from '@salesforce/apex/AccountStandingController.getStanding';

// AccountStandingResult as AccountStandingController serializes it.
const STANDING = require('./data/getStanding.json');

jest.mock('@salesforce/apex/AccountStandingController.getStanding', () => ({ default: jest.fn() }), {
  virtual: true,
});

const ACCOUNT_ID = '001DM0000000001AAA';
const usd = (value) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(value);
const eur = (value) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(value);

function apexError(code, message) {
  return {
    body: { message: JSON.stringify({ code, message, retryAfterSeconds: null }) },
    ok: false,
    status: 500,
  };
}

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function mount() {
  const element = createElement('c-d365-account-standing', { is: D365AccountStanding });
  element.recordId = ACCOUNT_ID;
  document.body.appendChild(element);
  return element;
}

const numbers = (element) =>
  Array.from(element.shadowRoot.querySelectorAll('tr.invoice .invoice-number'), (a) => a.textContent);

describe('c-d365-account-standing', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('shows a spinner while the standing is read', async () => {
    let resolve;
    getStanding.mockReturnValue(
      new Promise((r) => {
        resolve = r;
      }),
    );
    const element = mount();
    await Promise.resolve();

    expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
    expect(element.shadowRoot.querySelector('lightning-button-icon').disabled).toBe(true);
    expect(element.shadowRoot.querySelector('table')).toBeNull();

    resolve(clone(STANDING));
    await flushPromises();
    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    expect(getStanding).toHaveBeenCalledWith({ accountId: ACCOUNT_ID });
  });

  it('shows balance, overdue and credit limit in the standing currency, and the credit used as a bar', async () => {
    getStanding.mockResolvedValue(clone(STANDING));
    const element = mount();
    await flushPromises();

    const root = element.shadowRoot;
    expect(root.querySelector('.balance').textContent).toBe(usd(7350.5));
    expect(root.querySelector('.overdue-amount').textContent).toBe(usd(1200.25));
    expect(root.querySelector('.overdue-amount').className).toContain('slds-text-color_error');
    expect(root.querySelector('.credit-limit').textContent).toBe(usd(10000));
    const bar = root.querySelector('.credit-bar');
    expect(bar.getAttribute('aria-valuenow')).toBe('74');
    expect(bar.getAttribute('aria-label')).toBe('73.5% of the credit limit used');
    expect(bar.querySelector('.slds-progress-bar__value').getAttribute('style')).toContain('width: 73.5%');
    expect(root.querySelector('.on-hold')).toBeNull();
    expect(root.querySelector('.as-of').textContent).toMatch(/^as of /);
    expect(root.querySelector('.stale-badge')).toBeNull();
  });

  it('lists the invoices newest first with status pills, amounts in their currency and links', async () => {
    getStanding.mockResolvedValue(clone(STANDING));
    const element = mount();
    await flushPromises();

    expect(numbers(element)).toEqual(['CIV-000104', 'CIV-000103', 'CIV-000101', 'CIV-000102']);
    const rows = element.shadowRoot.querySelectorAll('tr.invoice');
    const partly = rows[1];
    expect(partly.querySelector('.total').textContent).toBe(eur(5150.26));
    expect(partly.querySelector('.remaining').textContent).toBe(eur(2150.26));
    expect(partly.querySelector('.status-pill').textContent).toBe('Partially paid');
    expect(partly.querySelector('.status-pill').className).toContain('slds-theme_warning');
    expect(partly.querySelector('a').getAttribute('href')).toBe(
      '/lightning/r/Invoice__c/a01DM0000000103AAA/view',
    );
    expect(rows[2].querySelector('.status-pill').className).toContain('slds-theme_success');
  });

  it('shows an overdue invoice with its due date in red', async () => {
    getStanding.mockResolvedValue(clone(STANDING));
    const element = mount();
    await flushPromises();

    const rows = Array.from(element.shadowRoot.querySelectorAll('tr.invoice'));
    const overdue = rows.find((r) => r.textContent.includes('CIV-000102'));
    expect(overdue.querySelector('.due-date').className).toContain('slds-text-color_error');
    expect(overdue.querySelector('.due-date').getAttribute('title')).toBe('Overdue');
    expect(overdue.querySelector('.status-pill').className).toContain('slds-theme_error');
    const open = rows.find((r) => r.textContent.includes('CIV-000104'));
    expect(open.querySelector('.due-date').className).not.toContain('slds-text-color_error');
  });

  it('shows a date on the calendar day F&O posted it, whatever the time zone', async () => {
    getStanding.mockResolvedValue(clone(STANDING));
    const element = mount();
    await flushPromises();

    const expected = new Intl.DateTimeFormat(undefined, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(Date.UTC(2026, 11, 1)));
    expect(element.shadowRoot.querySelector('tr.invoice .invoice-date').textContent).toBe(expected);
  });

  it('sorts by a column, and reverses on a second click', async () => {
    getStanding.mockResolvedValue(clone(STANDING));
    const element = mount();
    await flushPromises();

    const byRemaining = element.shadowRoot.querySelector('button.sort[data-field="amountRemaining"]');
    byRemaining.click();
    await flushPromises();
    expect(numbers(element)).toEqual(['CIV-000101', 'CIV-000104', 'CIV-000102', 'CIV-000103']);
    expect(byRemaining.parentElement.getAttribute('aria-sort')).toBe('ascending');

    byRemaining.click();
    await flushPromises();
    expect(numbers(element)).toEqual(['CIV-000103', 'CIV-000102', 'CIV-000104', 'CIV-000101']);
    expect(byRemaining.parentElement.getAttribute('aria-sort')).toBe('descending');
    expect(
      element.shadowRoot
        .querySelector('button.sort[data-field="invoiceDate"]')
        .parentElement.getAttribute('aria-sort'),
    ).toBe('none');
  });

  it('shows a red on-hold badge when F&O blocks orders, and a red bar over the limit', async () => {
    getStanding.mockResolvedValue({
      ...clone(STANDING),
      balance: 12500,
      creditUsedPercent: 125,
      overCreditLimit: true,
      onHoldStatus: 'All',
      onHold: true,
      blocksOrders: true,
    });
    const element = mount();
    await flushPromises();

    const badge = element.shadowRoot.querySelector('.on-hold');
    expect(badge.textContent).toBe('On hold: All');
    expect(badge.className).toContain('slds-theme_error');
    expect(badge.getAttribute('title')).toContain('refuse new sales orders');
    const bar = element.shadowRoot.querySelector('.credit-bar');
    expect(bar.getAttribute('aria-valuenow')).toBe('100');
    expect(bar.querySelector('.slds-progress-bar__value').getAttribute('style')).toContain('width: 100%');
    expect(element.shadowRoot.querySelector('.credit-used').textContent).toBe(
      '125% of the credit limit used',
    );
  });

  it('shows a softer badge for a hold that does not stop orders', async () => {
    getStanding.mockResolvedValue({
      ...clone(STANDING),
      onHoldStatus: 'Payment',
      onHold: true,
      blocksOrders: false,
    });
    const element = mount();
    await flushPromises();

    const badge = element.shadowRoot.querySelector('.on-hold');
    expect(badge.textContent).toBe('On hold: Payment');
    expect(badge.className).toContain('slds-theme_warning');
  });

  it('says "No limit" and draws no bar when F&O sets no credit limit', async () => {
    getStanding.mockResolvedValue({ ...clone(STANDING), creditLimit: 0, creditUsedPercent: null });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.credit-limit').textContent).toBe('No limit');
    expect(element.shadowRoot.querySelector('.credit-bar')).toBeNull();
  });

  it('shows a Stale badge when the standing was not refreshed on schedule', async () => {
    getStanding.mockResolvedValue({ ...clone(STANDING), stale: true });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.stale-badge').textContent).toBe('Stale');
    expect(element.shadowRoot.querySelectorAll('tr.invoice')).toHaveLength(4);
  });

  it('says so when F&O has sent nothing for the account', async () => {
    getStanding.mockResolvedValue({ ...clone(STANDING), refreshedAt: null, invoices: [], balance: null });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.empty').textContent).toContain('has not sent a standing');
    expect(element.shadowRoot.querySelector('.standing')).toBeNull();
    expect(element.shadowRoot.querySelector('table')).toBeNull();
    expect(element.shadowRoot.querySelector('.as-of')).toBeNull();
  });

  it('says so when the customer has no open or recent invoices', async () => {
    getStanding.mockResolvedValue({ ...clone(STANDING), invoices: [] });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.no-invoices').textContent).toBe('No open or recent invoices.');
    expect(element.shadowRoot.querySelector('.balance')).not.toBeNull();
  });

  it('shows the error message of a failed read, and reads again on refresh', async () => {
    getStanding.mockRejectedValueOnce(
      apexError('NO_ACCESS', 'Ask your administrator for the D365 Bridge Sales Rep permission set.'),
    );
    getStanding.mockResolvedValueOnce(clone(STANDING));
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('[role="alert"]').textContent).toBe(
      'Ask your administrator for the D365 Bridge Sales Rep permission set.',
    );
    expect(element.shadowRoot.querySelector('table')).toBeNull();

    element.shadowRoot.querySelector('lightning-button-icon').click();
    await flushPromises();
    expect(getStanding).toHaveBeenCalledTimes(2);
    expect(element.shadowRoot.querySelector('[role="alert"]')).toBeNull();
    expect(element.shadowRoot.querySelectorAll('tr.invoice')).toHaveLength(4);
  });

  it('shows a plain message for an error without the envelope', async () => {
    getStanding.mockRejectedValue({ body: { message: 'Unexpected server error' } });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('[role="alert"]').textContent).toBe('Unexpected server error');
  });

  it('is accessible: captioned table, scoped headers, sort state, labelled controls', async () => {
    getStanding.mockResolvedValue(clone(STANDING));
    const element = mount();
    await flushPromises();

    const table = element.shadowRoot.querySelector('table');
    expect(table.querySelector('caption').textContent.trim()).not.toBe('');
    element.shadowRoot.querySelectorAll('th').forEach((th) => {
      expect(['col', 'row']).toContain(th.getAttribute('scope'));
    });
    element.shadowRoot.querySelectorAll('th[scope="col"]').forEach((th) => {
      expect(['ascending', 'descending', 'none']).toContain(th.getAttribute('aria-sort'));
    });
    element.shadowRoot.querySelectorAll('button').forEach((button) => {
      expect(button.getAttribute('type')).toBe('button');
      expect(button.getAttribute('aria-label')).toMatch(/^Sort by /);
    });
    const bar = element.shadowRoot.querySelector('[role="progressbar"]');
    expect(bar.getAttribute('aria-label')).toMatch(/credit limit used/);
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    element.shadowRoot.querySelectorAll('a').forEach((a) => {
      expect(a.textContent.trim()).not.toBe('');
    });
    expect(element.shadowRoot.querySelector('lightning-button-icon').alternativeText).toBe(
      'Refresh standing',
    );
  });
});
