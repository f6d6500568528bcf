/**
 * The reconciliation declarations of the F&O → Salesforce flows, attached to their entries in
 * `sync/registry.ts`. Each pair computes what Salesforce should hold with the flow's own reading
 * and mapping functions, so "mapped values" means what the flow writes.
 */
import { ge } from '../../d365/index.js';
import { HEADER_ENTITY, HEADER_SELECT, invoiceFromRows } from '../invoices/fno-invoice.js';
import { INVOICE_EXTERNAL_ID, INVOICE_OBJECT, invoiceFields } from '../invoices/salesforce-invoices.js';
import { buildPlan, emptyState, type Plan } from '../products/plan.js';
import { fnoLanguage, readCatalogue, readNames } from '../products/read-fno.js';
import type { ExpectedContext, ExpectedRecord, FnoToSalesforceReconcile } from './declaration.js';

type Row = Record<string, unknown>;

/**
 * The Invoice__c fields compared. The status is left out (flow 7 rewrites it as payments come
 * in), and so is the due date (it needs a third entity per invoice; the invoice sweep compares it).
 */
const INVOICE_COMPARED = [
  'Name',
  'Invoice_Date__c',
  'Total_Amount__c',
  'Tax_Amount__c',
  'Net_Amount__c',
  'Currency_Code__c',
  'Sales_Order_Number__c',
] as const;

/** Flow 6: Invoice__c ↔ the invoices F&O posted in the window (RECONCILE_WINDOW_DAYS). */
export const invoicesReconcile: FnoToSalesforceReconcile = {
  pairs: [
    {
      pair: 'Invoice__c ↔ posted invoices (SalesInvoiceHeadersV2)',
      async expected(ctx) {
        const out: ExpectedRecord[] = [];
        const now = new Date(ctx.clock());
        const query = ctx.d365.odata.query<Row>(HEADER_ENTITY, {
          company: ctx.company,
          filter: ge('InvoiceDate', new Date(`${ctx.since}T00:00:00Z`)),
          select: HEADER_SELECT,
          lane: 'bulk',
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        for await (const page of query.pages()) {
          ctx.countRequest();
          for (const header of page.rows) {
            // The header alone: lines and due date are not compared (see INVOICE_COMPARED).
            const invoice = invoiceFromRows(header, [], undefined);
            const fields = invoiceFields(invoice, now);
            out.push({
              key: String(fields[INVOICE_EXTERNAL_ID]),
              values: Object.fromEntries(INVOICE_COMPARED.map((f) => [f, fields[f]])),
              ...(invoice.invoiceDate ? { day: invoice.invoiceDate } : {}),
            });
          }
        }
        return out;
      },
      salesforce: {
        sobject: INVOICE_OBJECT,
        externalId: INVOICE_EXTERNAL_ID,
        fields: ['Legal_Entity__c'],
        where: (since) => `Invoice_Date__c >= ${since}`,
      },
      companyOf: (record) =>
        typeof record.Legal_Entity__c === 'string' && record.Legal_Entity__c !== ''
          ? record.Legal_Entity__c.toLowerCase()
          : undefined,
    },
  ],
};

/** Flow 4's plan for one company, from its catalogue: what the products flow would write. */
async function companyPlan(ctx: ExpectedContext): Promise<Plan> {
  return ctx.once(`plan:${ctx.company}`, async () => {
    const catalogue = await readCatalogue(ctx.d365, ctx.company, ctx.signal);
    const language = fnoLanguage(ctx.cfg.companies[ctx.company]?.language);
    const names = await readNames(ctx.d365, language, ctx.signal);
    for (let i = 0; i < catalogue.requests + names.requests; i += 1) ctx.countRequest();
    return buildPlan(ctx.cfg, [catalogue], new Map([[language, names.names]]), emptyState(), {
      priceBooks: ctx.config.PRODUCTS_PRICE_BOOKS,
      stoppedStates: ctx.config.PRODUCTS_STOPPED_STATES,
      multiCurrency: ctx.config.PRODUCTS_MULTI_CURRENCY,
      today: new Date(ctx.clock()).toISOString().slice(0, 10),
    });
  });
}

/** `F&O USMF|USD|D0001` → `usmf`; a standard book's key (`Standard|USD|D0001`) names no company. */
function priceKeyCompany(key: unknown): string | undefined {
  const m = typeof key === 'string' ? /^F&O ([^\s|]+)(?: [^\s|]+)?\|/.exec(key) : null;
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * Flow 4: Product2 ↔ released products, and the company price books' entries ↔ the prices F&O
 * gives. A Product2 is one record for every company that releases the item, so only what is the
 * same in each company is compared (its code and type); its name and unit come from the first
 * company in the mapping. The standard price book's entries are not compared: each currency's
 * standard price comes from the first company that prices it, which a per-company comparison
 * cannot tell.
 */
export const productsReconcile: FnoToSalesforceReconcile = {
  pairs: [
    {
      pair: 'Product2 ↔ released products (ReleasedProductsV2)',
      async expected(ctx) {
        return (await companyPlan(ctx)).products.map((p) => ({
          key: p.itemNumber,
          values: {
            ProductCode: p.fields.ProductCode,
            D365_Product_Type__c: p.fields.D365_Product_Type__c,
          },
        }));
      },
      salesforce: {
        sobject: 'Product2',
        externalId: 'D365_Item_Number__c',
        // Inactive products are those no company sells any more: not expected in F&O.
        where: () => 'IsActive = true',
      },
      companyOf: () => undefined,
    },
    {
      pair: 'PricebookEntry ↔ sales prices (company price books)',
      async expected(ctx) {
        return (await companyPlan(ctx)).prices
          .filter((p) => p.book !== '')
          .map((p) => ({ key: p.key, values: { UnitPrice: p.unitPrice } }));
      },
      salesforce: {
        sobject: 'PricebookEntry',
        externalId: 'D365_Price_Key__c',
        where: () => "IsActive = true AND D365_Price_Key__c LIKE 'F&O %'",
      },
      companyOf: (record) => priceKeyCompany(record.D365_Price_Key__c),
    },
  ],
};

/** Flow 7 writes onto the invoices flow 6 brings; it has no records of its own to compare. */
export const paymentsReconcile: FnoToSalesforceReconcile = {
  pairs: [],
  note: 'payment status is recomputed from F&O on every run; the invoices it writes to are compared by the invoices flow',
};
