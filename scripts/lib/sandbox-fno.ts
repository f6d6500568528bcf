/**
 * The F&O → Salesforce half of the sandbox (docs/sandbox.md, "From F&O to Salesforce"):
 *  - the demo customer (DEMO_FNO_CUSTOMER of the demo world) in both emulators, as if flow 1 had
 *    synced it earlier, with its invoices posted in F&O (and the amounts already paid);
 *  - the flows run once at start through the proxy's admin routes, as an operator would:
 *    products (flow 4), the invoice sweep (flow 6), payment status (flow 7).
 * Flows are only used through their routes, never their internals.
 */
import type { D365Control } from '../../test/emulators/d365/control.js';
import type { PostedInvoice } from '../../test/emulators/d365/posting.js';
import type { SalesforceEmulatorControl } from '../../test/emulators/salesforce/control.js';
import { DEMO_FNO_CUSTOMER, DEMO_INVOICES, demoAccount } from '../../test/fixtures/demo-world.js';

export interface SandboxCustomer {
  company: string;
  customerAccount: string;
  accountId: string;
  accountName: string;
  /** The seeded invoices, oldest first, with what is still to pay. */
  invoices: Array<PostedInvoice & { remaining: number }>;
}

const DAY_MS = 86_400_000;
const cents = (n: number) => Math.round(n * 100) / 100;

/** `YYYY-MM-DD` of `now` + `days` (UTC). */
function day(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Puts the demo customer into F&O (customer, invoices, payments) and links the Salesforce Account
 * to it. Call before the business-event endpoint is registered: these invoices are history, which
 * the invoice sweep brings across, not events.
 */
export function seedDemoCustomer(
  d365: D365Control,
  salesforce: SalesforceEmulatorControl,
  now = new Date(),
): SandboxCustomer {
  const demo = DEMO_FNO_CUSTOMER;
  const world = demoAccount(demo.account);
  const account = salesforce.records('Account').find((a) => a.Name === world.Name);
  if (!account) throw new Error(`the Salesforce emulator has no Account ${world.Name}`);
  const accountId = String(account.Id);
  const a = world.address;
  d365.putRows('CustomersV3', [
    {
      dataAreaId: demo.company,
      CustomerAccount: demo.customerAccount,
      PartyType: 'Organization',
      OrganizationName: world.Name,
      NameAlias: world.Name.slice(0, 20),
      CustomerGroupId: demo.customerGroup,
      PaymentTerms: 'Net30',
      SalesCurrencyCode: 'USD',
      CreditLimit: demo.creditLimit,
      OnHoldStatus: 'No',
      LanguageId: 'en-US',
      // The proof of ownership flow 1 writes at create time (the demo mapping's correlation field).
      KnownAs: accountId,
      AddressStreet: a.street,
      AddressCity: a.city,
      AddressState: a.state ?? '',
      AddressZipCode: a.postalCode,
      AddressCountryRegionId: 'USA',
      AddressCountryRegionISOCode: a.country,
    },
  ]);
  salesforce.putRecords('Account', [
    { Id: accountId, D365_Customer_Number__c: demo.customerAccount, D365_Sync_Status__c: 'Synced' },
  ]);

  const invoices: SandboxCustomer['invoices'] = [];
  const own = DEMO_INVOICES.filter((i) => i.account === demo.account).sort(
    (x, y) => x.invoiceInDays - y.invoiceInDays,
  );
  for (const inv of own) {
    const net = cents(inv.total - inv.tax);
    // One line of the service item at the net amount; the flat tax rate gives the demo's tax.
    const posted = d365.postInvoice({
      company: demo.company,
      customerAccount: demo.customerAccount,
      lines: [{ itemNumber: demo.invoiceItem, quantity: 1, price: net }],
      invoiceDate: day(now, inv.invoiceInDays),
      dueDays: inv.dueInDays - inv.invoiceInDays,
      taxRate: inv.tax / net,
    });
    const paid = cents(inv.total - inv.remaining);
    if (paid > 0) {
      d365.postPayment({
        company: demo.company,
        customerAccount: demo.customerAccount,
        amount: paid,
        invoiceNumber: posted.invoiceNumber,
      });
    }
    invoices.push({ ...posted, remaining: inv.remaining });
  }
  return {
    company: demo.company,
    customerAccount: demo.customerAccount,
    accountId,
    accountName: world.Name,
    invoices,
  };
}

export interface FlowRun {
  flow: string;
  state: string;
  ms: number;
  error?: string;
}

/**
 * Runs one F&O → Salesforce flow through `POST /v1/flows/<flow>/run` and waits for its job
 * (`GET /v1/jobs/<id>`) to finish, at most `timeoutMs`; a job still retrying is reported as such.
 */
export async function runFlow(
  proxyUrl: string,
  adminKey: string,
  flow: string,
  body: Record<string, unknown>,
  timeoutMs = 60_000,
): Promise<FlowRun> {
  const started = Date.now();
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const res = await fetch(`${proxyUrl}/v1/flows/${flow}/run`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { jobId?: string; code?: string; detail?: string };
  if (res.status !== 202 || !answer.jobId) {
    return { flow, state: 'refused', ms: Date.now() - started, error: answer.code ?? `HTTP ${res.status}` };
  }
  for (;;) {
    const job = (await (
      await fetch(`${proxyUrl}/v1/jobs/${answer.jobId}`, {
        headers: { authorization: headers.authorization },
      })
    ).json()) as { state: string; lastError: { code: string } | null };
    if (job.state !== 'queued' && job.state !== 'running') {
      return { flow, state: job.state, ms: Date.now() - started, error: job.lastError?.code };
    }
    if (Date.now() - started > timeoutMs) {
      return { flow, state: job.state, ms: Date.now() - started, error: job.lastError?.code };
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // each poll is a line in the log
  }
}

/** Flows 4, 6 and 7 once, in the order their data depends on (statuses need the invoices). */
export async function runFnoFlowsOnce(
  proxyUrl: string,
  adminKey: string,
  sweepSince: string,
): Promise<FlowRun[]> {
  const runs: FlowRun[] = [];
  const steps: Array<[string, Record<string, unknown>]> = [
    ['products', {}],
    ['invoices', { since: sweepSince }],
    ['payments', {}],
  ];
  for (const [flow, body] of steps) {
    const started = Date.now();
    // A run that cannot even be asked for is reported in the banner; the sandbox stays up for the rest.
    runs.push(
      await runFlow(proxyUrl, adminKey, flow, body).catch((err: unknown) => ({
        flow,
        state: 'failed',
        ms: Date.now() - started,
        error: err instanceof Error ? err.message : String(err),
      })),
    );
  }
  return runs;
}
