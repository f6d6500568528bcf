import { createElement } from 'lwc';
import D365Inventory from 'c/d365Inventory';
import getInventory from '@salesforce/apex/InventoryController.getInventory';

// Built from the contract fixture BridgeContract_InventoryResponse as InventoryController maps it.
const INVENTORY = require('./data/getInventory.json');
const EMPTY = require('./data/getInventoryEmpty.json');

jest.mock('@salesforce/apex/InventoryController.getInventory', () => ({ default: jest.fn() }), {
  virtual: true,
});

const OPPORTUNITY_ID = '006Hs00000Dd9pEIAR';

/** An Apex error as LWC receives it: the controller's JSON envelope in body.message. */
function apexError(code, message, retryAfterSeconds = null) {
  return {
    body: { message: JSON.stringify({ code, message, retryAfterSeconds }) },
    ok: false,
    status: 500,
    statusText: 'Server Error',
  };
}

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function mount() {
  const element = createElement('c-d365-inventory', { is: D365Inventory });
  element.recordId = OPPORTUNITY_ID;
  document.body.appendChild(element);
  return element;
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

describe('c-d365-inventory', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('shows a spinner while F&O is asked', async () => {
    let resolve;
    getInventory.mockReturnValue(
      new Promise((r) => {
        resolve = r;
      }),
    );
    const element = mount();
    await Promise.resolve();

    expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
    expect(element.shadowRoot.querySelector('lightning-button-icon').disabled).toBe(true);
    expect(element.shadowRoot.querySelector('table')).toBeNull();

    resolve(clone(INVENTORY));
    await flushPromises();
    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
  });

  it('asks for the inventory of its opportunity', async () => {
    getInventory.mockResolvedValue(clone(INVENTORY));
    mount();
    await flushPromises();

    expect(getInventory).toHaveBeenCalledTimes(1);
    expect(getInventory).toHaveBeenCalledWith({ opportunityId: OPPORTUNITY_ID });
  });

  it('shows a row per line with enough and short-by status', async () => {
    getInventory.mockResolvedValue(clone(INVENTORY));
    const element = mount();
    await flushPromises();

    const rows = element.shadowRoot.querySelectorAll('tr.line');
    expect(rows).toHaveLength(3);
    const first = rows[0];
    expect(first.querySelector('.product').textContent).toBe('Mid-Range Speaker');
    expect(first.querySelector('.quantity').textContent).toBe('10');
    expect(first.querySelector('.available').textContent).toBe('182');
    expect(first.querySelector('.reserved').textContent).toBe('18');
    expect(first.querySelector('.on-order').textContent).toBe('24');
    expect(first.querySelector('.status').textContent).toBe('Enough');
    expect(rows[1].querySelector('.status').textContent).toBe('Short by 15');
    expect(rows[1].querySelector('.status').parentElement.className).toContain('slds-text-color_error');
    expect(rows[2].querySelector('.status').textContent).toBe('Not found in F&O');
    expect(rows[2].querySelector('.available').textContent).toBe('—');
  });

  it('shows when the figures were read and no stale badge for a fresh answer', async () => {
    getInventory.mockResolvedValue(clone(INVENTORY));
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.as-of').textContent).toMatch(/^as of \d{2}:\d{2}:\d{2}$/);
    expect(element.shadowRoot.querySelector('.stale-badge')).toBeNull();
  });

  it('shows a Stale badge when the proxy served the last known figures', async () => {
    getInventory.mockResolvedValue({ ...clone(INVENTORY), stale: true });
    const element = mount();
    await flushPromises();

    const badge = element.shadowRoot.querySelector('.stale-badge');
    expect(badge).not.toBeNull();
    expect(badge.textContent).toBe('Stale');
  });

  it('expands and collapses the per-warehouse detail', async () => {
    getInventory.mockResolvedValue(clone(INVENTORY));
    const element = mount();
    await flushPromises();

    const toggle = element.shadowRoot.querySelector('tr.line button.toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(element.shadowRoot.querySelector('tr.detail')).toBeNull();

    toggle.click();
    await flushPromises();
    const detail = element.shadowRoot.querySelector('tr.detail');
    expect(detail).not.toBeNull();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.getAttribute('aria-controls')).toBe(detail.getAttribute('id'));
    const locations = detail.querySelectorAll('tr.location');
    expect(locations).toHaveLength(2);
    expect(locations[0].textContent).toContain('11');
    expect(locations[0].textContent).toContain('120');

    toggle.click();
    await flushPromises();
    expect(element.shadowRoot.querySelector('tr.detail')).toBeNull();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
  });

  it('offers no expand button for a line without warehouses', async () => {
    getInventory.mockResolvedValue(clone(INVENTORY));
    const element = mount();
    await flushPromises();

    const rows = element.shadowRoot.querySelectorAll('tr.line');
    expect(rows[2].querySelector('button.toggle')).toBeNull();
  });

  it('says so when the opportunity has no products', async () => {
    getInventory.mockResolvedValue(clone(EMPTY));
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.empty').textContent).toContain('no products');
    expect(element.shadowRoot.querySelector('table')).toBeNull();
    expect(element.shadowRoot.querySelector('.as-of')).toBeNull();
  });

  it('shows the error message of a failed read', async () => {
    getInventory.mockRejectedValue(
      apexError('NO_LEGAL_ENTITY', 'The account of this opportunity has no D365 Legal Entity.'),
    );
    const element = mount();
    await flushPromises();

    const alert = element.shadowRoot.querySelector('[role="alert"]');
    expect(alert.textContent).toBe('The account of this opportunity has no D365 Legal Entity.');
    expect(element.shadowRoot.querySelector('table')).toBeNull();
    expect(element.shadowRoot.querySelector('.throttled')).toBeNull();
  });

  it('shows a plain message for an error without the envelope', async () => {
    getInventory.mockRejectedValue({ body: { message: 'Unexpected server error' } });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('[role="alert"]').textContent).toBe('Unexpected server error');
  });

  it('shows the throttled state with the retry time', async () => {
    getInventory.mockRejectedValue(apexError('THROTTLED', 'F&O is busy, try again in 30 seconds.', 30));
    const element = mount();
    await flushPromises();

    const status = element.shadowRoot.querySelector('.throttled');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toBe('F&O is busy, try again in 30 seconds.');
    expect(element.shadowRoot.querySelector('[role="alert"]')).toBeNull();
  });

  it('asks again when refresh is clicked and shows the new figures', async () => {
    getInventory.mockRejectedValueOnce(apexError('THROTTLED', 'F&O is busy, try again in 1 second.', 1));
    getInventory.mockResolvedValueOnce(clone(INVENTORY));
    const element = mount();
    await flushPromises();
    expect(element.shadowRoot.querySelector('.throttled')).not.toBeNull();

    element.shadowRoot.querySelector('lightning-button-icon').click();
    await flushPromises();

    expect(getInventory).toHaveBeenCalledTimes(2);
    expect(element.shadowRoot.querySelector('.throttled')).toBeNull();
    expect(element.shadowRoot.querySelectorAll('tr.line')).toHaveLength(3);
  });

  it('warns when F&O has the customer on hold and it is over its credit limit', async () => {
    getInventory.mockResolvedValue({
      ...clone(INVENTORY),
      customerOnHoldStatus: 'All',
      customerBlocked: true,
      overCreditLimit: true,
    });
    const element = mount();
    await flushPromises();

    const warning = element.shadowRoot.querySelector('.customer-warning');
    expect(warning.getAttribute('role')).toBe('status');
    expect(warning.textContent).toContain(
      'F&O has this customer on hold (All): it will refuse a sales order',
    );
    expect(warning.textContent).toContain('over its F&O credit limit');
    expect(element.shadowRoot.querySelectorAll('tr.line')).toHaveLength(3);
  });

  it('warns about the credit limit alone, also on an opportunity without products', async () => {
    getInventory.mockResolvedValue({ ...clone(EMPTY), customerOnHoldStatus: 'No', overCreditLimit: true });
    const element = mount();
    await flushPromises();

    const warning = element.shadowRoot.querySelector('.customer-warning');
    expect(warning.textContent).toContain('over its F&O credit limit');
    expect(warning.textContent).not.toContain('on hold');
    expect(element.shadowRoot.querySelector('.empty')).not.toBeNull();
  });

  it('shows no warning for a customer in good standing, nor for a payment-only hold', async () => {
    getInventory.mockResolvedValue({
      ...clone(INVENTORY),
      customerOnHoldStatus: 'Payment',
      customerBlocked: false,
    });
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.customer-warning')).toBeNull();
  });

  it('is accessible: captioned table, scoped headers, labelled controls', async () => {
    getInventory.mockResolvedValue(clone(INVENTORY));
    const element = mount();
    await flushPromises();
    element.shadowRoot.querySelector('button.toggle').click();
    await flushPromises();

    const tables = element.shadowRoot.querySelectorAll('table');
    expect(tables.length).toBeGreaterThan(0);
    tables.forEach((table) => {
      expect(table.querySelector('caption').textContent.trim()).not.toBe('');
    });
    element.shadowRoot.querySelectorAll('th').forEach((th) => {
      expect(['col', 'row']).toContain(th.getAttribute('scope'));
    });
    element.shadowRoot.querySelectorAll('button').forEach((button) => {
      expect(button.getAttribute('type')).toBe('button');
      expect(button.getAttribute('aria-label')).toMatch(/warehouses for /);
      expect(['true', 'false']).toContain(button.getAttribute('aria-expanded'));
    });
    const refresh = element.shadowRoot.querySelector('lightning-button-icon');
    expect(refresh.alternativeText).toBe('Refresh inventory');
  });
});
