import type { SeedName } from '../options.js';
import type { RecordStore, SfRecord } from './store.js';

/**
 * Org data. Every seed has the integration user (added by the state) and the Standard Price
 * Book, as every real org does. `demo` adds a small sales org: products with standard prices,
 * accounts with contacts, and opportunities with line items (one Closed Won).
 */

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export function seedOrg(store: RecordStore, seed: SeedName): void {
  const s = store.schema;
  const create = (object: string, body: SfRecord): SfRecord => store.create(s.object(object)!, body);
  const standard = store.putRaw(s.object('Pricebook2')!, {
    Name: 'Standard Price Book',
    IsActive: true,
    IsStandard: true,
  });
  if (seed === 'empty') return;

  const products = [
    ['Surface Laptop 7', 'D0001', 'Laptops', 1299, 'ea'],
    ['Surface Pro 11', 'D0002', 'Tablets', 999, 'ea'],
    ['Docking Station', 'D0003', 'Accessories', 249, 'ea'],
    ['USB-C Cable 2m', 'D0004', 'Accessories', 19.9, 'ea'],
    ['Installation Service', 'S0001', 'Services', 120, 'hr'],
    ['Extended Warranty 3y', 'S0002', 'Services', 199, 'ea'],
  ] as const;
  const entries: SfRecord[] = [];
  for (const [name, code, family, price, uom] of products) {
    const p = create('Product2', {
      Name: name,
      ProductCode: code,
      Family: family,
      IsActive: true,
      QuantityUnitOfMeasure: uom,
    });
    entries.push(
      create('PricebookEntry', {
        Pricebook2Id: standard.Id,
        Product2Id: p.Id,
        UnitPrice: price,
        IsActive: true,
      }),
    );
  }

  const accounts = [
    ['Contoso Retail', 'Seattle', 'WA', 'US', 'Retail'],
    ['Fabrikam Manufacturing', 'Chicago', 'IL', 'US', 'Manufacturing'],
    ['Adventure Works', 'Toronto', 'ON', 'CA', 'Retail'],
    ['Northwind Traders', 'London', '', 'GB', 'Wholesale'],
    ['Tailspin Toys', 'Munich', 'BY', 'DE', 'Retail'],
  ] as const;
  const created: SfRecord[] = [];
  accounts.forEach(([name, city, state, country, industry], i) => {
    const a = create('Account', {
      Name: name,
      AccountNumber: `ACC-${1001 + i}`,
      BillingStreet: `${100 + i} Main Street`,
      BillingCity: city,
      BillingStateCode: state || null,
      BillingCountryCode: country,
      BillingPostalCode: `${10000 + i * 111}`,
      Phone: `+1 555 010${i}`,
      Industry: industry,
      Type: 'Customer',
    });
    created.push(a);
    create('Contact', {
      AccountId: a.Id,
      FirstName: 'Alex',
      LastName: `Buyer${i + 1}`,
      Email: `buyer${i + 1}@example.com`,
      Title: 'Purchasing',
    });
    if (i < 2)
      create('Contact', {
        AccountId: a.Id,
        FirstName: 'Sam',
        LastName: `Finance${i + 1}`,
        Email: `ap${i + 1}@example.com`,
        Title: 'Accounts Payable',
      });
  });

  const opportunities: Array<[number, string, string, number, Array<[number, number]>]> = [
    [
      0,
      'Contoso laptop refresh',
      'Closed Won',
      -3,
      [
        [0, 20],
        [2, 20],
      ],
    ],
    [
      1,
      'Fabrikam tablets',
      'Negotiation/Review',
      14,
      [
        [1, 10],
        [3, 50],
      ],
    ],
    [2, 'Adventure Works services', 'Prospecting', 30, [[4, 16]]],
    [3, 'Northwind accessories', 'Closed Lost', -10, [[3, 100]]],
  ];
  for (const [accountIndex, name, stage, closeIn, lines] of opportunities) {
    const opp = create('Opportunity', {
      Name: name,
      AccountId: created[accountIndex]!.Id,
      StageName: stage,
      CloseDate: day(closeIn),
      Pricebook2Id: standard.Id,
    });
    for (const [entryIndex, qty] of lines) {
      const pbe = entries[entryIndex]!;
      create('OpportunityLineItem', {
        OpportunityId: opp.Id,
        PricebookEntryId: pbe.Id,
        Quantity: qty,
        UnitPrice: pbe.UnitPrice,
      });
    }
  }
}
