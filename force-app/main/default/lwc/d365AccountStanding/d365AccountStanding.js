import { LightningElement, api } from 'lwc';
import getStanding from '@salesforce/apex/AccountStandingController.getStanding';

const STATUS_CLASSES = {
  Paid: 'slds-badge slds-theme_success status-pill',
  'Partially paid': 'slds-badge slds-theme_warning status-pill',
  Overdue: 'slds-badge slds-theme_error status-pill',
  Open: 'slds-badge slds-badge_lightest status-pill',
};

/** Sortable columns: key in the invoice row → header label. */
const COLUMNS = [
  { field: 'invoiceNumber', label: 'Invoice', numeric: false },
  { field: 'invoiceDate', label: 'Invoice date', numeric: false },
  { field: 'dueDate', label: 'Due date', numeric: false },
  { field: 'totalAmount', label: 'Total', numeric: true },
  { field: 'amountRemaining', label: 'Remaining', numeric: true },
  { field: 'paymentStatus', label: 'Status', numeric: false },
];

/**
 * Reads the controller's error envelope `{ code, message }` from an Apex error (the same one the
 * inventory widget reads); anything else becomes a plain message.
 */
export function parseError(error) {
  const raw = error?.body?.message ?? error?.message;
  if (typeof raw === 'string') {
    try {
      const envelope = JSON.parse(raw);
      if (envelope && typeof envelope.message === 'string') {
        return { code: envelope.code ?? 'FAILED', message: envelope.message };
      }
    } catch {
      // not an envelope: fall through
    }
    return { code: 'FAILED', message: raw };
  }
  return { code: 'FAILED', message: 'The F&O standing could not be loaded.' };
}

/** An amount in its own currency; a plain number when the currency is unknown. */
export function formatMoney(value, currencyCode) {
  if (value === null || value === undefined) {
    return '—';
  }
  if (currencyCode) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currencyCode }).format(value);
    } catch {
      // not an ISO code Intl knows: fall through
    }
  }
  const number = new Intl.NumberFormat(undefined, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(value);
  return currencyCode ? `${number} ${currencyCode}` : number;
}

/**
 * An Apex Date (`2026-12-04`) as that calendar day in the user's locale. Formatted in UTC on
 * purpose: the day F&O posted must not move with the viewer's time zone.
 */
export function formatDate(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate ?? '');
  if (!match) {
    return '—';
  }
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

function formatDateTime(iso) {
  const date = new Date(iso ?? '');
  if (Number.isNaN(date.getTime())) {
    return null;
  }
  return new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}

export default class D365AccountStanding extends LightningElement {
  @api recordId;

  isLoading = false;
  result;
  error;
  sortedBy = 'invoiceDate';
  sortDirection = 'desc';

  connectedCallback() {
    this.load();
  }

  /** Imperative, like the inventory widget: refresh must read the records again. */
  async load() {
    this.isLoading = true;
    this.error = undefined;
    try {
      this.result = await getStanding({ accountId: this.recordId });
    } catch (e) {
      this.result = undefined;
      this.error = parseError(e);
    } finally {
      this.isLoading = false;
    }
  }

  handleRefresh() {
    this.load();
  }

  handleSort(event) {
    const field = event.currentTarget.dataset.field;
    if (this.sortedBy === field) {
      this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    } else {
      this.sortedBy = field;
      this.sortDirection = 'asc';
    }
  }

  get isReady() {
    return !this.isLoading && !this.error && this.result !== undefined;
  }

  get hasError() {
    return !this.isLoading && this.error !== undefined;
  }

  /** F&O has sent nothing for this account: no standing read and no invoice. */
  get isEmpty() {
    return this.isReady && !this.result.refreshedAt && this.result.invoices.length === 0;
  }

  get hasStanding() {
    return this.isReady && Boolean(this.result.refreshedAt);
  }

  get hasInvoices() {
    return this.isReady && this.result.invoices.length > 0;
  }

  get noInvoices() {
    return this.hasStanding && this.result.invoices.length === 0;
  }

  get isStale() {
    return this.result?.stale === true;
  }

  get asOfLabel() {
    const time = this.result?.refreshedAt ? formatDateTime(this.result.refreshedAt) : null;
    return time ? `as of ${time}` : null;
  }

  get balance() {
    return formatMoney(this.result?.balance, this.result?.currencyCode);
  }

  get overdueAmount() {
    return formatMoney(this.result?.overdueAmount ?? 0, this.result?.currencyCode);
  }

  get overdueClass() {
    return this.result?.overdueAmount > 0
      ? 'slds-text-heading_small overdue-amount slds-text-color_error'
      : 'slds-text-heading_small overdue-amount';
  }

  get hasCreditLimit() {
    return this.result?.creditUsedPercent !== null && this.result?.creditUsedPercent !== undefined;
  }

  get creditLimit() {
    return this.hasCreditLimit ? formatMoney(this.result.creditLimit, this.result.currencyCode) : 'No limit';
  }

  get creditUsedLabel() {
    return `${this.result.creditUsedPercent}% of the credit limit used`;
  }

  get creditUsedValue() {
    return String(Math.min(100, Math.round(this.result.creditUsedPercent)));
  }

  get creditBarStyle() {
    const width = Math.min(100, this.result.creditUsedPercent);
    return this.result.overCreditLimit ? `width: ${width}%; background: #ba0517` : `width: ${width}%`;
  }

  get onHold() {
    return this.result?.onHold === true;
  }

  get onHoldLabel() {
    return `On hold: ${this.result.onHoldStatus}`;
  }

  get onHoldClass() {
    return this.result.blocksOrders
      ? 'slds-badge slds-theme_error on-hold'
      : 'slds-badge slds-theme_warning on-hold';
  }

  get onHoldTitle() {
    return this.result.blocksOrders
      ? 'F&O has this customer on hold: it will refuse new sales orders.'
      : 'F&O has this customer on hold for some transactions; sales orders are not blocked.';
  }

  get columns() {
    return COLUMNS.map((column) => {
      const sorted = column.field === this.sortedBy;
      const direction = sorted ? this.sortDirection : null;
      return {
        ...column,
        headerClass: column.numeric ? 'slds-text-align_right' : '',
        ariaSort: direction ? (direction === 'asc' ? 'ascending' : 'descending') : 'none',
        arrow: direction ? (direction === 'asc' ? '▲' : '▼') : '',
        buttonLabel: `Sort by ${column.label}`,
      };
    });
  }

  get rows() {
    const factor = this.sortDirection === 'asc' ? 1 : -1;
    const field = this.sortedBy;
    return [...(this.result?.invoices ?? [])]
      .sort((a, b) => {
        const order = compare(a[field], b[field]);
        // Blank values stay last in both directions.
        return a[field] === null || a[field] === undefined || b[field] === null || b[field] === undefined
          ? order
          : order * factor;
      })
      .map((invoice) => ({
        key: invoice.id,
        href: `/lightning/r/Invoice__c/${invoice.id}/view`,
        invoiceNumber: invoice.invoiceNumber,
        invoiceDate: formatDate(invoice.invoiceDate),
        dueDate: formatDate(invoice.dueDate),
        dueDateClass: invoice.overdue ? 'due-date slds-text-color_error' : 'due-date',
        dueDateTitle: invoice.overdue ? 'Overdue' : '',
        totalAmount: formatMoney(invoice.totalAmount, invoice.currencyCode),
        amountRemaining: formatMoney(invoice.amountRemaining, invoice.currencyCode),
        paymentStatus: invoice.paymentStatus ?? '—',
        statusClass: STATUS_CLASSES[invoice.paymentStatus] ?? 'slds-badge status-pill',
      }));
  }
}
