/**
 * Every sync flow, declared once. The routes (`http/routes/sync.ts`), the worker's dispatch
 * (`flows/sync-flows.ts`), the pending sweep's SOQL (`flows/sweep/pending-sweep.ts`) and the
 * OpenAPI record schemas are derived from these entries; `proxy/test/flows/sync-registry.test.ts`
 * fails when the package's Apex (`D365SyncSelector`, `D365SyncFields`) says anything else.
 * Adding a flow: docs/adding-a-flow.md.
 */
import {
  contactChanges,
  customerChanges,
  customerCorrelationField,
  isRejection,
  ORDER_CORRELATION_FIELD,
  readAccount,
  readContact,
  readOpportunity,
  salesOrderFrom,
} from '../../mapping/index.js';
import { syncAccount } from '../accounts/account-handler.js';
import { syncContact } from '../contacts/contact-handler.js';
import { SyncAccountRecord, SyncContactRecord, SyncOpportunityRecord } from '../intake/record-schemas.js';
import { invoicesFlow } from '../invoices/invoices-flow.js';
import { syncOrder } from '../orders/order-handler.js';
import { paymentsFlow } from '../payments/payments-flow.js';
import { productsFlow } from '../products/products-flow.js';
import { invoicesReconcile, paymentsReconcile, productsReconcile } from '../reconcile/fno-pairs.js';
import { salesforceToFno, type FnoToSalesforceFlow, type SalesforceToFnoFlow } from './flow.js';

/** Flow 1: Account → F&O customer. */
const account = salesforceToFno({
  flow: 'account',
  sobject: 'Account',
  path: '/v1/sync/accounts',
  summary: 'Create or update F&O customers from Accounts',
  what: 'customer',
  keyField: 'D365_Customer_Number__c',
  select: {
    syncedFields: [
      'Name',
      'AccountNumber',
      'Phone',
      'Website',
      'BillingStreet',
      'BillingCity',
      'BillingState',
      'BillingPostalCode',
      'BillingCountry',
      'ShippingStreet',
      'ShippingCity',
      'ShippingState',
      'ShippingPostalCode',
      'ShippingCountry',
      'D365_Legal_Entity__c',
    ],
    fields: ['D365_Customer_Number__c', 'D365_Sync_Status__c', 'SystemModstamp'],
    children: [],
  },
  legalEntity: 'own',
  record: SyncAccountRecord,
  read: readAccount,
  sync: syncAccount,
  reconcile: {
    pair: 'Accounts ↔ customers (CustomersV3)',
    entity: 'CustomersV3',
    fnoKey: 'CustomerAccount',
    correlationField: customerCorrelationField,
    idPrefix: '001',
    // What the update writes: name, address, phone, web site, extra fields (never group or terms).
    mapped: customerChanges,
    repairsDifferences: true,
  },
});

/** Flow 2: Contact → F&O contact person of its Account's customer. */
const contact = salesforceToFno({
  flow: 'contact',
  sobject: 'Contact',
  path: '/v1/sync/contacts',
  summary: 'Create or update F&O contact persons from Contacts',
  what: 'contact person',
  keyField: 'D365_Contact_Person_Id__c',
  select: {
    syncedFields: [
      'AccountId',
      'Salutation',
      'FirstName',
      'LastName',
      'Title',
      'Department',
      'Email',
      'Phone',
      'MobilePhone',
      'MailingStreet',
      'MailingCity',
      'MailingState',
      'MailingPostalCode',
      'MailingCountry',
    ],
    fields: [
      'D365_Contact_Person_Id__c',
      'D365_Sync_Status__c',
      'SystemModstamp',
      'Account.D365_Customer_Number__c',
      'Account.D365_Legal_Entity__c',
    ],
    children: [],
  },
  legalEntity: 'parentAccount',
  record: SyncContactRecord,
  read: readContact,
  sync: syncContact,
  reconcile: {
    pair: 'Contacts ↔ contact persons (ContactPersons)',
    entity: 'ContactPersons',
    fnoKey: 'ContactPersonId',
    correlationField: (cfg) => cfg.contact.correlationField,
    idPrefix: '003',
    mapped: contactChanges,
    repairsDifferences: true,
  },
});

/** Flow 3: won Opportunity with its products → F&O sales order. */
const order = salesforceToFno({
  flow: 'order',
  sobject: 'Opportunity',
  path: '/v1/orders',
  summary: 'Create F&O sales orders from Closed Won Opportunities',
  what: 'sales order',
  keyField: 'D365_Sales_Order_Number__c',
  select: {
    syncedFields: ['Name', 'AccountId', 'CloseDate', 'Amount', 'Description', 'Pricebook2Id'],
    fields: [
      'StageName',
      'IsWon',
      'D365_Sales_Order_Number__c',
      'D365_Sync_Status__c',
      'SystemModstamp',
      'Account.Name',
      'Account.D365_Customer_Number__c',
      'Account.D365_Legal_Entity__c',
    ],
    children: [
      {
        relationship: 'OpportunityLineItems',
        fields: [
          'Id',
          'OpportunityId',
          'Product2Id',
          'Product2.Name',
          'Product2.ProductCode',
          'Product2.D365_Item_Number__c',
          'Quantity',
          'UnitPrice',
          'TotalPrice',
          'ServiceDate',
        ],
        // The order of the sales order's lines: as the rep sorted them, ties by creation.
        orderBy: ['SortOrder', 'CreatedDate'],
      },
    ],
  },
  sweepFilter: 'IsWon = true',
  legalEntity: 'parentAccount',
  record: SyncOpportunityRecord,
  read: readOpportunity,
  sync: syncOrder,
  reconcile: {
    pair: 'won Opportunities ↔ sales orders (SalesOrderHeadersV2)',
    entity: 'SalesOrderHeadersV2',
    fnoKey: 'SalesOrderNumber',
    correlationField: () => ORDER_CORRELATION_FIELD,
    idPrefix: '006',
    // The header fields that stay as the flow wrote them; dates, site and lines are F&O's to change.
    mapped: (read, cfg, opts) => {
      const order = salesOrderFrom(read, cfg, opts);
      if (isRejection(order)) return order;
      const { OrderingCustomerAccountNumber, InvoiceCustomerAccountNumber, CurrencyCode } =
        order.entity.header;
      return { OrderingCustomerAccountNumber, InvoiceCustomerAccountNumber, CurrencyCode };
    },
    repairsDifferences: false,
  },
});

/** Flow 6: posted sales invoices (events feed it; the sweep heals what they missed). */
const invoices: FnoToSalesforceFlow = { ...invoicesFlow, reconcile: invoicesReconcile };

/** Salesforce → F&O: the records the package sends. */
export const SALESFORCE_TO_FNO = [account, contact, order] as const satisfies readonly SalesforceToFnoFlow[];

/** F&O → Salesforce: read F&O on a schedule or on request, upsert Salesforce records. */
export const FNO_TO_SALESFORCE: readonly FnoToSalesforceFlow[] = [
  { ...productsFlow, reconcile: productsReconcile },
  invoices,
  { ...paymentsFlow, reconcile: paymentsReconcile },
];
