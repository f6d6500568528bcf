/**
 * Deterministic demo data (seeded random): companies usmf and usrt, customer groups, customers,
 * sites 1-3 with warehouses 11/12, 21/22, 31 (each company), contacts, released products with
 * price agreements, on-hand in those sites (usmf),
 * open and invoiced sales orders, posted invoices with due dates, payments and open transactions.
 * A generator spec adds large generated sets to usmf for benchmarks.
 */
import { customerAccountFormat } from './entities/customers.js';
import { companyPrefix, pad, regionFromIso2 } from './entities/helpers.js';
import { computeOnHand, DEFAULT_SITE, DEFAULT_WAREHOUSE, round } from './entities/products.js';
import { lotIdFormat, salesOrderNumberFormat } from './entities/sales-orders.js';
import { MAX_DATETIME, toDateOnly, toDateTime, type Row } from './entities/schema.js';
import type { SeedOption } from './options.js';
import { postInvoice, postPayment } from './posting.js';
import type { Store } from './store.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedSummary {
  companies: string[];
  customers: number;
  contacts: number;
  products: number;
  priceAgreements: number;
  onHandRows: number;
  salesOrders: number;
  invoices: number;
  openTransactions: number;
}

/** Demo "today": fixed so seeded dates are deterministic. */
export const SEED_DATE = new Date('2026-03-02T09:00:00Z');

const SITES: Array<{ site: string; warehouses: string[] }> = [
  { site: '1', warehouses: ['11', '12'] },
  { site: '2', warehouses: ['21', '22'] },
  { site: '3', warehouses: ['31'] },
];

const CITIES = [
  ['Seattle', 'WA', '98052'],
  ['San Diego', 'CA', '92101'],
  ['Chicago', 'IL', '60601'],
  ['Dallas', 'TX', '75201'],
  ['Atlanta', 'GA', '30303'],
  ['Boston', 'MA', '02108'],
  ['Denver', 'CO', '80202'],
  ['Miami', 'FL', '33131'],
  ['Portland', 'OR', '97201'],
  ['New York', 'NY', '10022'],
] as const;

const NAME_A = [
  'Contoso',
  'Fabrikam',
  'Adventure',
  'Northwind',
  'Litware',
  'Proseware',
  'Tailspin',
  'Wingtip',
  'Alpine',
  'Coho',
  'Lucerne',
  'Woodgrove',
];
const NAME_B = [
  'Retail',
  'Electronics',
  'Outfitters',
  'Traders',
  'Supplies',
  'Systems',
  'Wholesale',
  'Stores',
  'Partners',
  'Industries',
];
const FIRST = [
  'Anna',
  'Ben',
  'Chloe',
  'David',
  'Elena',
  'Frank',
  'Grace',
  'Hugo',
  'Iris',
  'Jonas',
  'Kira',
  'Liam',
];
const LAST = [
  'Berg',
  'Cole',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jensen',
  'Khan',
  'Lopez',
  'Meyer',
];
const PRODUCT_FAMILIES: Array<[string, string[]]> = [
  ['D', ['Speaker', 'Subwoofer', 'Soundbar', 'Amplifier']],
  ['L', ['Television', 'Monitor', 'Display']],
  ['P', ['Projector', 'Screen']],
  ['M', ['Media player', 'Receiver']],
  ['T', ['Cable', 'Adapter', 'Mount']],
];

const GROUPS: Array<[string, string, string]> = [
  ['10', 'Wholesale customers', 'Net30'],
  ['20', 'Major customers', 'Net45'],
  ['30', 'Retail customers', 'Net10'],
  ['40', 'Internet customers', 'Net30'],
  ['90', 'Other customers', 'Net30'],
];

function insert(store: Store, set: string, values: Row): Row {
  return store.put(set, store.materialise(store.table(set).def, values));
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

function seedCompany(store: Store, id: string, name: string): void {
  insert(store, 'LegalEntities', {
    LegalEntityId: id,
    Name: name,
    NameAlias: name.slice(0, 20),
    CompanyName: name,
    PartyNumber: store.nextNumber('', 'party', (n) => pad(n, 9)),
    LanguageId: 'en-US',
    AddressStreet: '123 Coffee Street',
    AddressCity: 'Redmond',
    AddressState: 'WA',
    AddressZipCode: '98052',
    AddressCountryRegionId: 'USA',
    AddressCountryRegionISOCode: 'US',
    AddressValidFrom: toDateTime(new Date('2020-01-01T00:00:00Z')),
    AddressValidTo: MAX_DATETIME,
    FullPrimaryAddress: '123 Coffee Street\nRedmond, WA 98052\nUSA',
  });
  for (const [groupId, description, terms] of GROUPS) {
    insert(store, 'CustomerGroups', {
      dataAreaId: id,
      CustomerGroupId: groupId,
      Description: description,
      PaymentTermId: terms,
      ClearingPeriodPaymentTermName: terms,
    });
  }
  for (const s of SITES) {
    insert(store, 'OperationalSites', { dataAreaId: id, SiteId: s.site, SiteName: `Site ${s.site}` });
    for (const wh of s.warehouses) {
      insert(store, 'Warehouses', {
        dataAreaId: id,
        WarehouseId: wh,
        WarehouseName: `Warehouse ${wh}`,
        OperationalSiteId: s.site,
      });
    }
  }
}

function seedCustomer(store: Store, rnd: () => number, company: string, n: number, name: string): Row {
  const [city, state, zip] = pick(rnd, CITIES);
  const group = pick(rnd, GROUPS);
  const street = `${100 + Math.floor(rnd() * 9800)} ${pick(rnd, ['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm'])} Street`;
  const account = customerAccountFormat(company)(n);
  store.bumpSequence(company, 'customer', n);
  return insert(store, 'CustomersV3', {
    dataAreaId: company,
    CustomerAccount: account,
    PartyType: 'Organization',
    PartyNumber: store.nextNumber('', 'party', (k) => pad(k, 9)),
    OrganizationName: name,
    NameAlias: name.slice(0, 20),
    CustomerGroupId: group[0],
    PaymentTerms: group[2],
    SalesCurrencyCode: 'USD',
    CreditLimit: Math.round(rnd() * 20) * 5000,
    LanguageId: 'en-US',
    AddressStreet: street,
    AddressCity: city,
    AddressState: state,
    AddressZipCode: zip,
    AddressCountryRegionId: 'USA',
    AddressCountryRegionISOCode: 'US',
    AddressLocationRoles: 'Business',
    AddressValidFrom: toDateTime(new Date('2021-01-01T00:00:00Z')),
    AddressValidTo: MAX_DATETIME,
    FullPrimaryAddress: `${street}\n${city}, ${state} ${zip}\nUSA`,
    PrimaryContactEmail: `ap@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example.com`,
    PrimaryContactPhone: `+1 555 ${pad(Math.floor(rnd() * 10000), 4)}`,
    DeliveryAddressCountryRegionId: regionFromIso2('US'),
    DeliveryAddressCountryRegionISOCode: 'US',
  });
}

function seedProduct(
  store: Store,
  rnd: () => number,
  company: string,
  itemNumber: string,
  name: string,
  options: { service?: boolean; noDefaults?: boolean } = {},
): Row {
  const price = round(20 + rnd() * 1980, 2);
  const site = pick(rnd, SITES);
  const product = insert(store, 'ReleasedProductsV2', {
    dataAreaId: company,
    ItemNumber: itemNumber,
    ProductNumber: itemNumber,
    SearchName: name,
    ProductSearchName: name,
    ProductType: options.service ? 'Service' : 'Item',
    ProductSubType: 'Product',
    SalesUnitSymbol: options.service ? 'hr' : 'pcs',
    InventoryUnitSymbol: options.service ? 'hr' : 'pcs',
    PurchaseUnitSymbol: options.service ? 'hr' : 'pcs',
    BOMUnitSymbol: 'pcs',
    SalesPrice: price,
    SalesPriceQuantity: 1,
    SalesPriceDate: toDateOnly('2025-01-01'),
    PurchasePrice: round(price * 0.6, 2),
    PurchasePriceQuantity: 1,
    UnitCost: round(price * 0.55, 2),
    UnitCostQuantity: 1,
    ItemModelGroupId: options.service ? 'SRV' : 'STD',
    ProductGroupId: options.service ? 'Services' : 'AudioVideo',
    StorageDimensionGroupName: options.service ? 'Site' : 'SiteWH',
    TrackingDimensionGroupName: 'None',
    NetProductWeight: options.service ? 0 : round(rnd() * 30, 2),
    ProductLifecycleStateId: 'Active',
    IsSalesPriceAdjustmentAllowed: 'Yes',
    [DEFAULT_SITE]: options.noDefaults ? '' : site.site,
    [DEFAULT_WAREHOUSE]: options.noDefaults || options.service ? '' : site.warehouses[0]!,
  });
  // The name lives on the product (shared by the companies), per language.
  insert(store, 'ProductTranslations', { ProductNumber: itemNumber, LanguageId: 'en-us', ProductName: name });
  // Trade agreements: all customers at the base price, customer group 10 at 5 % less (§1.6).
  insert(store, 'SalesPriceAgreements', {
    dataAreaId: company,
    RecordId: store.newRecId(),
    ItemNumber: itemNumber,
    ProductNumber: itemNumber,
    PriceCurrencyCode: 'USD',
    Price: price,
    SalesPriceQuantity: 1,
    QuantityUnitySymbol: product.SalesUnitSymbol,
    FromQuantity: 0,
    ToQuantity: 0,
    PriceApplicableFromDate: toDateOnly('2025-01-01'),
    WillSearchContinue: 'No',
  });
  insert(store, 'SalesPriceAgreements', {
    dataAreaId: company,
    RecordId: store.newRecId(),
    ItemNumber: itemNumber,
    ProductNumber: itemNumber,
    PriceCustomerGroupCode: '10',
    PriceCurrencyCode: 'USD',
    Price: round(price * 0.95, 2),
    SalesPriceQuantity: 1,
    QuantityUnitySymbol: product.SalesUnitSymbol,
    PriceApplicableFromDate: toDateOnly('2025-01-01'),
    WillSearchContinue: 'No',
  });
  if (!options.service) {
    for (const s of SITES) {
      for (const wh of s.warehouses) {
        if (rnd() < 0.35 && !(s.site === site.site && wh === site.warehouses[0])) continue;
        const onHand = Math.floor(rnd() * 400);
        insert(
          store,
          'WarehousesOnHandV2',
          computeOnHand({
            dataAreaId: company,
            ItemNumber: itemNumber,
            InventorySiteId: s.site,
            InventoryWarehouseId: wh,
            ProductName: name,
            OnHandQuantity: onHand,
            ReservedOnHandQuantity: Math.floor(onHand * rnd() * 0.2),
            OrderedQuantity: Math.floor(rnd() * 100),
            OnOrderQuantity: Math.floor(rnd() * 50),
            AreWarehouseManagementProcessesUsed: 'No',
          }),
        );
      }
    }
  }
  return product;
}

function seedOrder(
  store: Store,
  rnd: () => number,
  company: string,
  customer: Row,
  items: Row[],
  now: Date,
  reference: string,
): Row {
  const n = Number(store.nextNumber(company, 'salesOrder', (k) => String(k)));
  const number = salesOrderNumberFormat(n);
  const header = insert(store, 'SalesOrderHeadersV2', {
    dataAreaId: company,
    SalesOrderNumber: number,
    OrderingCustomerAccountNumber: customer.CustomerAccount,
    InvoiceCustomerAccountNumber: customer.CustomerAccount,
    CurrencyCode: 'USD',
    LanguageId: 'en-US',
    SalesOrderName: customer.OrganizationName,
    DeliveryAddressName: customer.OrganizationName,
    CustomersOrderReference: reference,
    RequestedShippingDate: toDateOnly(now),
    RequestedReceiptDate: toDateOnly(now),
    OrderCreationDateTime: toDateTime(now),
    PaymentTermsName: customer.PaymentTerms,
    CustomerPostingProfileId: 'GEN',
    SalesOrderStatus: 'Backorder',
    SalesOrderProcessingStatus: 'Confirmed',
  });
  let total = 0;
  const lineCount = 1 + Math.floor(rnd() * 4);
  for (let i = 1; i <= lineCount; i++) {
    const item = pick(rnd, items);
    const qty = 1 + Math.floor(rnd() * 10);
    const price = Number(item.SalesPrice);
    const amount = round(qty * price, 2);
    total += amount;
    insert(store, 'SalesOrderLines', {
      dataAreaId: company,
      InventoryLotId: store.nextNumber(company, 'lot', lotIdFormat),
      SalesOrderNumber: number,
      LineNumber: i,
      LineCreationSequenceNumber: i,
      ItemNumber: item.ItemNumber,
      OrderedSalesQuantity: qty,
      SalesUnitSymbol: item.SalesUnitSymbol,
      SalesPrice: price,
      SalesPriceQuantity: 1,
      LineAmount: amount,
      CurrencyCode: 'USD',
      SalesOrderLineStatus: 'Backorder',
      ShippingSiteId: item[DEFAULT_SITE] || '1',
      ShippingWarehouseId: item[DEFAULT_WAREHOUSE] || '11',
      RequestedShippingDate: toDateOnly(now),
      RequestedReceiptDate: toDateOnly(now),
      LineDescription: item.SearchName,
      DeliveryAddressName: customer.OrganizationName,
      CalculateLineAmount: 'Yes',
    });
  }
  return store.put('SalesOrderHeadersV2', { ...header, OrderTotalAmount: round(total, 2) });
}

export function seedStore(store: Store, seed: SeedOption): SeedSummary {
  store.clear();
  const spec = typeof seed === 'object' ? seed : {};
  const rnd = mulberry32(spec.randomSeed ?? 42);
  seedCompany(store, 'usmf', 'Contoso Entertainment System USA');
  seedCompany(store, 'usrt', 'Contoso Retail USA');
  if (seed !== 'empty') {
    const plan: Array<[string, number, number]> = [
      ['usmf', 24, 60],
      ['usrt', 8, 20],
    ];
    for (const [company, customerCount, productCount] of plan) {
      const customers: Row[] = [];
      for (let i = 1; i <= customerCount; i++) {
        customers.push(
          seedCustomer(
            store,
            rnd,
            company,
            i,
            `${NAME_A[(i - 1) % NAME_A.length]} ${NAME_B[(i * 7) % NAME_B.length]}${i > NAME_A.length ? ` ${companyPrefix(company)}${i}` : ''}`,
          ),
        );
      }
      for (const c of customers.slice(0, 10)) {
        for (let k = 0; k < 2; k++) {
          const first = pick(rnd, FIRST);
          const last = pick(rnd, LAST);
          insert(store, 'ContactPersons', {
            dataAreaId: company,
            ContactPersonId: store.nextNumber(company, 'contact', (n) => `CP-${pad(n, 6)}`),
            ContactPersonPartyNumber: store.nextNumber('', 'party', (n) => pad(n, 9)),
            ContactPersonPartyType: 'Person',
            AssociatedPartyNumber: c.PartyNumber,
            FirstName: first,
            LastName: last,
            ContactPersonName: `${first} ${last}`,
            SearchName: `${first} ${last}`,
            PrimaryEmailAddress: `${first}.${last}@example.com`.toLowerCase(),
            PrimaryPhoneNumber: `+1 555 ${pad(Math.floor(rnd() * 10000), 4)}`,
            EmploymentJobTitle: pick(rnd, ['Buyer', 'Accounts payable', 'Owner', 'Store manager']),
            IsDefaultContactPerson: k === 0 ? 'Yes' : 'No',
            LastEditDateTime: toDateTime(SEED_DATE),
          });
        }
      }
      const products: Row[] = [];
      for (let i = 1; i <= productCount; i++) {
        const [letter, names] = PRODUCT_FAMILIES[(i - 1) % PRODUCT_FAMILIES.length]!;
        const service = i % 20 === 0;
        const itemNumber = service ? `S${pad(i, 4)}` : `${letter}${pad(i, 4)}`;
        const name = service
          ? `Installation service ${i}`
          : `${pick(rnd, names)} ${pick(rnd, ['Pro', 'Mini', 'Max', 'Classic', 'Plus'])} ${i}`;
        // A few items have no default order settings: their lines need an explicit site/warehouse.
        products.push(
          seedProduct(store, rnd, company, itemNumber, name, { service, noDefaults: i % 25 === 7 }),
        );
      }
      const stocked = products.filter((p) => p.ProductType === 'Item' && p[DEFAULT_SITE]);
      // Open orders, then invoiced orders (posted 10–60 days ago), some of them paid.
      const orderCount = company === 'usmf' ? 6 : 2;
      for (let i = 0; i < orderCount; i++)
        seedOrder(store, rnd, company, pick(rnd, customers), stocked, SEED_DATE, `DEMO-OPEN-${i + 1}`);
      const invoiceCount = company === 'usmf' ? 10 : 3;
      for (let i = 0; i < invoiceCount; i++) {
        const customer = customers[i % customers.length]!;
        const daysAgo = 10 + Math.floor(rnd() * 50);
        const date = new Date(SEED_DATE.getTime() - daysAgo * 86_400_000);
        const order = seedOrder(store, rnd, company, customer, stocked, date, `DEMO-INV-${i + 1}`);
        const invoice = postInvoice(
          store,
          { company, salesOrderNumber: String(order.SalesOrderNumber), invoiceDate: toDateOnly(date) },
          company,
          date,
        );
        if (i % 3 === 0)
          postPayment(
            store,
            {
              company,
              customerAccount: invoice.customerAccount,
              amount: invoice.amount,
              invoiceNumber: invoice.invoiceNumber,
            },
            company,
            SEED_DATE,
          );
        else if (i % 3 === 1)
          postPayment(
            store,
            {
              company,
              customerAccount: invoice.customerAccount,
              amount: round(invoice.amount / 2, 2),
              invoiceNumber: invoice.invoiceNumber,
            },
            company,
            SEED_DATE,
          );
      }
    }
    generate(store, rnd, spec);
  }
  return summarise(store);
}

function generate(
  store: Store,
  rnd: () => number,
  spec: Exclude<SeedOption, string> | Record<string, never>,
): void {
  const company = 'usmf';
  const existingCustomers = [...store.table('CustomersV3').rows.values()].filter(
    (r) => r.dataAreaId === company,
  ).length;
  const customers: Row[] = [];
  for (let i = 1; i <= (spec.customers ?? 0); i++) {
    customers.push(
      seedCustomer(store, rnd, company, existingCustomers + i, `Generated Customer ${pad(i, 6)}`),
    );
  }
  const existingProducts = [...store.table('ReleasedProductsV2').rows.values()].filter(
    (r) => r.dataAreaId === company,
  ).length;
  const products: Row[] = [];
  for (let i = 1; i <= (spec.products ?? 0); i++) {
    products.push(
      seedProduct(store, rnd, company, `G${pad(existingProducts + i, 6)}`, `Generated product ${i}`),
    );
  }
  const allCustomers = [...store.table('CustomersV3').rows.values()].filter((r) => r.dataAreaId === company);
  const stocked = [...store.table('ReleasedProductsV2').rows.values()].filter(
    (r) => r.dataAreaId === company && r.ProductType === 'Item' && r[DEFAULT_SITE],
  );
  for (let i = 0; i < (spec.contacts ?? 0); i++) {
    const c = pick(rnd, allCustomers);
    insert(store, 'ContactPersons', {
      dataAreaId: company,
      ContactPersonId: store.nextNumber(company, 'contact', (n) => `CP-${pad(n, 6)}`),
      ContactPersonPartyNumber: store.nextNumber('', 'party', (n) => pad(n, 9)),
      ContactPersonPartyType: 'Person',
      AssociatedPartyNumber: c.PartyNumber,
      FirstName: pick(rnd, FIRST),
      LastName: `${pick(rnd, LAST)}-${i}`,
    });
  }
  for (let i = 0; i < (spec.salesOrders ?? 0); i++)
    seedOrder(store, rnd, company, pick(rnd, allCustomers), stocked, SEED_DATE, `GEN-${i + 1}`);
  for (let i = 0; i < (spec.invoices ?? 0); i++) {
    const order = seedOrder(
      store,
      rnd,
      company,
      pick(rnd, allCustomers),
      stocked,
      SEED_DATE,
      `GEN-INV-${i + 1}`,
    );
    postInvoice(store, { company, salesOrderNumber: String(order.SalesOrderNumber) }, company, SEED_DATE);
  }
}

export function summarise(store: Store): SeedSummary {
  const count = (set: string) => store.table(set).rows.size;
  return {
    companies: [...store.table('LegalEntities').rows.values()].map((r) => String(r.LegalEntityId)),
    customers: count('CustomersV3'),
    contacts: count('ContactPersons'),
    products: count('ReleasedProductsV2'),
    priceAgreements: count('SalesPriceAgreements'),
    onHandRows: count('WarehousesOnHandV2'),
    salesOrders: count('SalesOrderHeadersV2'),
    invoices: count('SalesInvoiceHeadersV2'),
    openTransactions: count('CustTransOpens'),
  };
}
