import { DEMO_ACCOUNTS, DEMO_OPPORTUNITIES, DEMO_PRODUCTS } from '../../../fixtures/demo-world.js';
import type { SeedName } from '../options.js';
import type { RecordStore, SfRecord } from './store.js';

/**
 * Org data. Every seed has the integration user (added by the state) and the Standard Price
 * Book, as every real org does. `demo` adds the demo world (test/fixtures/demo-world.js): its
 * products with standard prices, accounts with contacts, and opportunities with line items (one
 * Closed Won) — the same data the widget preview shows and the F&O emulator's demo seed matches.
 */

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export function seedOrg(store: RecordStore, seed: SeedName): void {
  const s = store.schema;
  const create = (object: string, body: SfRecord): SfRecord => {
    const def = s.object(object)!;
    // The package's custom fields (D365_Legal_Entity__c, …) exist only when force-app is loaded
    // without a namespace; a test org with other metadata gets the demo data without them.
    const known = Object.entries(body).filter(([field]) => def.fields.has(field.toLowerCase()));
    return store.create(def, Object.fromEntries(known));
  };
  const standard = store.putRaw(s.object('Pricebook2')!, {
    Name: 'Standard Price Book',
    IsActive: true,
    IsStandard: true,
  });
  if (seed === 'empty') return;

  const entries = new Map<string, SfRecord>();
  for (const { key, UnitPrice, unknownInFno: _unknown, ...fields } of DEMO_PRODUCTS) {
    const p = create('Product2', { ...fields, IsActive: true });
    entries.set(
      key,
      create('PricebookEntry', { Pricebook2Id: standard.Id, Product2Id: p.Id, UnitPrice, IsActive: true }),
    );
  }

  const accounts = new Map<string, SfRecord>();
  for (const { key, address, contacts, ...fields } of DEMO_ACCOUNTS) {
    const a = create('Account', {
      ...fields,
      BillingStreet: address.street,
      BillingCity: address.city,
      BillingState: address.state,
      BillingStateCode: address.state,
      BillingPostalCode: address.postalCode,
      BillingCountry: address.country,
      BillingCountryCode: address.country,
      Type: 'Customer',
    });
    accounts.set(key, a);
    for (const contact of contacts) create('Contact', { AccountId: a.Id, ...contact });
  }

  for (const o of DEMO_OPPORTUNITIES) {
    const opp = create('Opportunity', {
      Name: o.Name,
      AccountId: accounts.get(o.account)!.Id,
      StageName: o.StageName,
      CloseDate: day(o.closeInDays),
      Pricebook2Id: standard.Id,
    });
    for (const line of o.lines) {
      const pbe = entries.get(line.product)!;
      create('OpportunityLineItem', {
        OpportunityId: opp.Id,
        PricebookEntryId: pbe.Id,
        Quantity: line.Quantity,
        UnitPrice: pbe.UnitPrice,
      });
    }
  }
}
