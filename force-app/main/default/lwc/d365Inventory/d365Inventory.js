import { LightningElement, api } from 'lwc';
import getInventory from '@salesforce/apex/InventoryController.getInventory';

const STATUS_LABELS = {
  Enough: 'Enough',
  NotFound: 'Not found in F&O',
  NoItemNumber: 'No item number',
};

const STATUS_CLASSES = {
  Enough: 'slds-text-color_success',
  Short: 'slds-text-color_error',
};

/**
 * Reads the InventoryController error envelope `{ code, message, retryAfterSeconds }` from an
 * Apex error; anything else (a network failure, an unexpected exception) becomes a plain message.
 */
export function parseError(error) {
  const raw = error?.body?.message ?? error?.message;
  if (typeof raw === 'string') {
    try {
      const envelope = JSON.parse(raw);
      if (envelope && typeof envelope.message === 'string') {
        return {
          code: envelope.code ?? 'FAILED',
          message: envelope.message,
          retryAfterSeconds: envelope.retryAfterSeconds ?? null,
        };
      }
    } catch {
      // not an envelope: fall through
    }
    return { code: 'FAILED', message: raw, retryAfterSeconds: null };
  }
  return { code: 'FAILED', message: 'Stock levels could not be loaded.', retryAfterSeconds: null };
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

function formatNumber(value) {
  return value === null || value === undefined ? '—' : numberFormat.format(value);
}

/** "hh:mm:ss" in the user's time zone (24-hour, so it reads the same everywhere). */
export function formatTime(iso) {
  if (!iso) {
    return null;
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return null;
  }
  return new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

export default class D365Inventory extends LightningElement {
  @api recordId;

  isLoading = false;
  result;
  error;
  expandedLineIds = [];

  connectedCallback() {
    this.load();
  }

  /** Imperative on purpose: refresh must reach the server, not a client-side cache. */
  async load() {
    this.isLoading = true;
    this.error = undefined;
    try {
      this.result = await getInventory({ opportunityId: this.recordId });
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

  handleToggle(event) {
    const lineId = event.currentTarget.dataset.lineId;
    this.expandedLineIds = this.expandedLineIds.includes(lineId)
      ? this.expandedLineIds.filter((id) => id !== lineId)
      : [...this.expandedLineIds, lineId];
  }

  get hasError() {
    return !this.isLoading && this.error !== undefined && !this.isThrottled;
  }

  get isThrottled() {
    return !this.isLoading && this.error?.code === 'THROTTLED';
  }

  get throttledMessage() {
    return this.error?.message;
  }

  get isEmpty() {
    return !this.isLoading && !this.error && this.result !== undefined && this.result.lines.length === 0;
  }

  get hasRows() {
    return !this.isLoading && !this.error && this.result !== undefined && this.result.lines.length > 0;
  }

  /**
   * The Account's F&O hold or credit state (from the fields the F&O Bridge writes), so the rep
   * knows before Closed Won that F&O will block or hold the sales order.
   */
  get customerWarning() {
    if (this.isLoading || !this.result) {
      return null;
    }
    const warnings = [];
    if (this.result.customerBlocked) {
      warnings.push(
        `F&O has this customer on hold (${this.result.customerOnHoldStatus}): it will refuse a sales order for this opportunity.`,
      );
    }
    if (this.result.overCreditLimit) {
      warnings.push(
        'This customer is over its F&O credit limit: F&O may hold the sales order for a credit check.',
      );
    }
    return warnings.length ? `${warnings.join(' ')} Talk to finance before closing the deal.` : null;
  }

  get asOfLabel() {
    const time = formatTime(this.result?.asOf);
    return time ? `as of ${time}` : null;
  }

  get isStale() {
    return this.result?.stale === true;
  }

  get rows() {
    return (this.result?.lines ?? []).map((line, index) => {
      const key = line.lineId ?? `line-${index}`;
      const expanded = this.expandedLineIds.includes(key);
      const locations = line.locations ?? [];
      return {
        key,
        detailKey: `${key}-detail`,
        detailId: `detail-${index}`,
        productName: line.productName,
        itemNumber: line.itemNumber ?? '—',
        quantity: formatNumber(line.quantity),
        available: formatNumber(line.available),
        reserved: formatNumber(line.reserved),
        onOrder: formatNumber(line.onOrder),
        statusLabel:
          line.status === 'Short'
            ? `Short by ${formatNumber(line.shortBy)}`
            : (STATUS_LABELS[line.status] ?? line.status),
        statusClass: STATUS_CLASSES[line.status] ?? 'slds-text-color_weak',
        hasLocations: locations.length > 0,
        expanded,
        ariaExpanded: String(expanded),
        toggleLabel: `${expanded ? 'Hide' : 'Show'} warehouses for ${line.productName}`,
        toggleIcon: expanded ? '▾' : '▸',
        locations: locations.map((location) => ({
          key: `${location.site}/${location.warehouse}`,
          site: location.site,
          warehouse: location.warehouse,
          available: formatNumber(location.available),
          reserved: formatNumber(location.reserved),
          onOrder: formatNumber(location.onOrder),
        })),
      };
    });
  }
}
