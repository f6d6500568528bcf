/**
 * The mixed workload of one fault row: new Accounts, Contacts under a customer F&O already has,
 * Closed Won Opportunities (sales orders in one `$batch` changeset each) and inventory reads,
 * sent the way the Salesforce package sends them: `{ records: [...] }` in small calls, each
 * call retried (on another replica when there are several) until the proxy accepts it, since
 * the package's callout and the catch-up sweep resend what was not accepted.
 *
 * Invoices go the other way (F&O → Salesforce): `postInvoices` posts them through the F&O
 * emulator's control API while the row runs; F&O delivers each business event to the proxies'
 * endpoint (through the run's balancer), and the invoice sweep finds what an event could not
 * deliver. checks.ts then counts one `Invoice__c` per posted invoice.
 */
import { contractFixture } from '../support/contract-fixtures.js';
import { KEY, type Proxy, type World } from './processes.js';

export type Kind = 'account' | 'contact' | 'order';
export type Row = Record<string, unknown>;

export interface WorkItem {
  kind: Kind;
  /** Salesforce Id (the key F&O's copy is found by). */
  id: string;
  /** What identifies the F&O row: the customer's name, the contact's last name, the order's reference. */
  marker: string;
  record: Row;
}

const PATH: Record<Kind, string> = {
  account: '/v1/sync/accounts',
  contact: '/v1/sync/contacts',
  order: '/v1/orders',
};
const SOBJECT: Record<Kind, string> = { account: 'Account', contact: 'Contact', order: 'Opportunity' };
const PREFIX: Record<Kind, string> = { account: '001', contact: '003', order: '006' };

const contactBase = contractFixture('BridgeContract_SyncContactsRequest').records[0] as Row;
const orderBase = contractFixture('BridgeContract_OrdersRequest').records[0] as Row;
const ORDER_ACCOUNT = String(orderBase.AccountId);

function sfId(prefix: string, round: number, n: number): string {
  return `${prefix}Ch${String(round).padStart(3, '0')}${String(n).padStart(7, '0')}AAA`;
}

/** `n` records of one row, about 60 % Accounts, 25 % Contacts, 15 % Opportunities. */
export function makeWorkload(round: number, n: number): WorkItem[] {
  const items: WorkItem[] = [];
  for (let i = 0; i < n; i++) {
    const kind: Kind = i % 20 < 12 ? 'account' : i % 20 < 17 ? 'contact' : 'order';
    const id = sfId(PREFIX[kind], round, i);
    const marker = `Chaos ${round}-${i}`;
    if (kind === 'account') {
      items.push({
        kind,
        id,
        marker,
        record: {
          attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${id}` },
          Id: id,
          Name: marker,
          BillingStreet: '1 Main Street',
          BillingCity: 'Seattle',
          BillingState: 'WA',
          BillingPostalCode: '98101',
          BillingCountry: 'US',
          D365_Legal_Entity__c: 'usmf',
          D365_Sync_Status__c: 'Pending',
          SystemModstamp: '2026-08-21T09:14:03.000+0000',
        },
      });
    } else if (kind === 'contact') {
      const c = structuredClone(contactBase);
      c.Id = id;
      c.LastName = marker;
      c.Email = `chaos.${round}.${i}@example.com`;
      (c.attributes as Row).url = `/services/data/v62.0/sobjects/Contact/${id}`;
      items.push({ kind, id, marker, record: c });
    } else {
      const o = structuredClone(orderBase) as any;
      o.Id = id;
      o.Name = marker;
      o.attributes.url = `/services/data/v62.0/sobjects/Opportunity/${id}`;
      o.OpportunityLineItems.records.forEach((l: Row, j: number) => {
        l.OpportunityId = id;
        l.Id = sfId('00k', round, i * 10 + j);
      });
      items.push({ kind, id, marker: id, record: o });
    }
  }
  return items;
}

/** Stores the Salesforce side (what the write-back updates), flat fields only, as the org holds them. */
export async function seedSalesforce(world: World, items: WorkItem[]): Promise<void> {
  const flat = (r: Row) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r))
      if (k !== 'attributes' && (v === null || typeof v !== 'object')) out[k] = v;
    return out;
  };
  await put(world, 'Account', [
    {
      Id: ORDER_ACCOUNT,
      Name: 'Fabrikam Supplies',
      D365_Customer_Number__c: 'US-024',
      D365_Legal_Entity__c: 'usmf',
    },
  ]);
  // The products and line items too: the catch-up sweep reads an Opportunity back with them.
  const lines = (orderBase as any).OpportunityLineItems.records as Row[];
  await put(
    world,
    'Product2',
    lines.map((l) => flat(l.Product2 as Row)),
  );
  for (const kind of ['account', 'contact', 'order'] as const) {
    const mine = items.filter((i) => i.kind === kind);
    for (let i = 0; i < mine.length; i += 500) {
      const part = mine.slice(i, i + 500);
      const stored = await put(
        world,
        SOBJECT[kind],
        part.map((p) => flat(p.record)),
      );
      // The org gives the Id its case-safe suffix: send what the org holds.
      part.forEach((item, j) => rekey(item, String(stored[j]!.Id)));
      if (kind === 'order')
        await put(
          world,
          'OpportunityLineItem',
          part.flatMap((p) => ((p.record as any).OpportunityLineItems.records as Row[]).map(flat)),
        );
    }
  }
}

function rekey(item: WorkItem, id: string): void {
  const r = item.record as any;
  r.Id = id;
  r.attributes.url = r.attributes.url.replace(item.id, id);
  for (const l of r.OpportunityLineItems?.records ?? []) l.OpportunityId = id;
  if (item.marker === item.id) item.marker = id;
  item.id = id;
}

async function put(world: World, object: string, records: Row[]): Promise<Row[]> {
  const res = await fetch(`${world.sf.url}/_emulator/records/${object}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  if (!res.ok) throw new Error(`seeding ${object}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Row[];
}

export interface SendStats {
  calls: number;
  /** Calls that failed (refused, reset, 5xx) and were sent again. */
  resent: number;
  inventoryReads: number;
  inventoryFailures: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends every item in calls of `batch` records, `concurrency` calls at a time, spread over the
 * replicas `proxies()` returns at the moment of each call; paces the calls over `seconds`.
 */
export async function sendWorkload(
  items: WorkItem[],
  proxies: () => Proxy[],
  opts: { batch: number; concurrency: number; seconds: number; deadlineMs: number },
): Promise<SendStats> {
  const stats: SendStats = { calls: 0, resent: 0, inventoryReads: 0, inventoryFailures: 0 };
  const calls: WorkItem[][] = [];
  for (const kind of ['account', 'contact', 'order'] as const) {
    const of = items.filter((i) => i.kind === kind);
    for (let i = 0; i < of.length; i += opts.batch) calls.push(of.slice(i, i + opts.batch));
  }
  // Mixed order, the same in every run: the kinds interleave.
  calls.sort((a, b) => a[0]!.id.slice(3).localeCompare(b[0]!.id.slice(3)));
  const gapMs = (opts.seconds * 1000) / Math.max(1, calls.length);
  let next = 0;
  let turn = 0;
  const started = Date.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      const call = calls[i];
      if (!call) return;
      const due = started + i * gapMs;
      if (due > Date.now()) await sleep(due - Date.now());
      for (let attempt = 0; ; attempt++) {
        if (Date.now() > opts.deadlineMs) throw new Error('the workload could not be delivered in time');
        const live = proxies().filter((p) => p.alive());
        const proxy = live[turn++ % Math.max(1, live.length)];
        if (proxy && (await post(proxy, PATH[call[0]!.kind], call))) break;
        stats.resent++;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
      stats.calls++;
      if (i % 3 === 0) {
        const live = proxies().filter((p) => p.alive());
        const proxy = live[turn++ % Math.max(1, live.length)];
        if (proxy) {
          stats.inventoryReads++;
          if (!(await readInventory(proxy))) stats.inventoryFailures++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return stats;
}

/** True when every record of the call was accepted (202, each result `accepted`). */
async function post(proxy: Proxy, path: string, call: WorkItem[]): Promise<boolean> {
  try {
    const res = await fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: call.map((c) => c.record) }),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status !== 202) return false;
    const body = (await res.json()) as { results: Array<{ status: string; reason?: string }> };
    const refused = body.results.filter((r) => r.status !== 'accepted');
    if (refused.length) throw new Error(`records refused: ${JSON.stringify(refused.slice(0, 3))}`);
    return true;
  } catch (err) {
    if ((err as Error).message.startsWith('records refused')) throw err;
    return false;
  }
}

async function readInventory(proxy: Proxy): Promise<boolean> {
  try {
    const res = await fetch(`${proxy.url}/v1/inventory?items=D0001,D0006&company=usmf`, {
      headers: { authorization: `Bearer ${KEY}` },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** A sales invoice posted in F&O during a row: its business event must produce one `Invoice__c`. */
export interface InvoiceItem {
  /** `D365_Invoice_Id__c`: `USMF|CIV-000123`. */
  ext: string;
}

/** The customer the invoices are posted for: the Account the Salesforce seed gives that number. */
const INVOICE_CUSTOMER = 'US-024';

/**
 * Posts `n` invoices over `seconds` (each for the seeded customer, one line), each retried
 * until F&O takes it — while F&O is down nobody posts invoices either.
 */
export async function postInvoices(
  world: World,
  n: number,
  seconds: number,
  deadlineMs: number,
): Promise<InvoiceItem[]> {
  const out: InvoiceItem[] = [];
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const due = started + (i * seconds * 1000) / n;
    if (due > Date.now()) await sleep(due - Date.now());
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadlineMs) throw new Error('the invoices could not be posted in time');
      try {
        const res = await fetch(`${world.d365.url}/_emulator/invoices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            company: 'usmf',
            customerAccount: INVOICE_CUSTOMER,
            lines: [{ itemNumber: 'D0001', quantity: 1 + (i % 3), price: 10 + i }],
          }),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) {
          const posted = (await res.json()) as { company: string; invoiceNumber: string };
          out.push({ ext: `${posted.company.toUpperCase()}|${posted.invoiceNumber}` });
          break;
        }
        await res.arrayBuffer();
      } catch {
        // F&O down: try again
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
  return out;
}
