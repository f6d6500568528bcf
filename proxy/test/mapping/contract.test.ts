/**
 * The Salesforce package's contract fixtures (what Apex really sends) through the mappers with the demo
 * config the sandbox uses, and the shipped example config. Read from disk so a change on either side
 * shows up here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadBridgeConfig,
  mapAccountToCustomer,
  mapAccountUpdate,
  mapContactToContactPerson,
  mapContactUpdate,
  mapOpportunityToSalesOrder,
  type ReadOptions,
} from '../../src/mapping/index.js';
import { expectOk } from './helpers.js';
import { contractFixturePath } from '../../../test/support/contract-fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => contractFixturePath(`BridgeContract_${name}`);

const records = (name: string): Record<string, unknown>[] =>
  (JSON.parse(readFileSync(fixture(name), 'utf8')) as { records: Record<string, unknown>[] }).records;

/** The same records as a subscriber org sends them: the package's fields with the `fobridge__` prefix. */
function namespaced(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(namespaced);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.startsWith('D365_') ? `fobridge__${k}` : k, namespaced(v)]),
  );
}

const demo = loadBridgeConfig(`${root}test/fixtures/bridge.demo.json`);

describe('shipped configs', () => {
  it('the example and the demo config validate', () => {
    expect(Object.keys(loadBridgeConfig(`${root}config/bridge.example.json`).companies)).toEqual([
      'usmf',
      'demf',
    ]);
    expect(Object.keys(demo.companies)).toEqual(['usmf', 'usrt']);
  });
});

describe('contract fixtures through the mappers', () => {
  for (const [label, transform, opts] of [
    ['dev org', (v: unknown) => v, {}],
    ['subscriber org (namespace fobridge)', namespaced, { namespace: 'fobridge' }],
  ] as Array<[string, (v: unknown) => unknown, ReadOptions]>) {
    describe(label, () => {
      it('accounts: a new one becomes a customer, a synced one an update', () => {
        const [fresh, synced] = records('SyncAccountsRequest').map(transform);
        const created = expectOk(mapAccountToCustomer(fresh, demo, { ...opts, customerAccount: 'SF000001' }));
        expect(created.entity).toMatchObject({
          dataAreaId: 'usmf',
          CustomerAccount: 'SF000001',
          OrganizationName: 'Contoso Retail Seattle',
          CustomerGroupId: '10',
          SalesCurrencyCode: 'USD',
          PaymentTerms: 'Net30',
          AddressStreet: '123 Pike Street',
          AddressState: 'WA',
          AddressCountryRegionId: 'USA',
          AddressCountryRegionISOCode: 'US',
          PrimaryContactPhone: '+1 206 555 0100',
        });
        const updated = expectOk(mapAccountUpdate(synced, demo, opts));
        expect(updated.identity.key).toEqual({ dataAreaId: 'usmf', CustomerAccount: 'US-024' });
        expect(updated.entity).toMatchObject({
          OrganizationName: 'Fabrikam Supplies',
          PrimaryContactURL: 'https://fabrikam.example.com',
          AddressCity: 'Redmond',
        });
      });

      it('contacts: a new one becomes a contact person, a synced one an update', () => {
        const [fresh, synced] = records('SyncContactsRequest').map(transform);
        const created = expectOk(
          mapContactToContactPerson(fresh, demo, { ...opts, customerPartyNumber: '000000042' }),
        );
        expect(created.identity).toMatchObject({
          customerAccount: 'US-024',
          company: 'usmf',
          needsPartyNumber: false,
        });
        expect(created.entity).toMatchObject({
          LastName: 'Funk',
          EmploymentDepartment: 'Procurement',
          PrimaryAddressStateId: 'WA',
          AssociatedPartyNumber: '000000042',
        });
        const updated = expectOk(mapContactUpdate(synced, demo, opts));
        expect(updated.identity.key).toEqual({ dataAreaId: 'usmf', ContactPersonId: '000312' });
      });

      it('orders: the won Opportunity becomes header + lines adding up to its Amount', () => {
        const [opp] = records('OrdersRequest').map(transform);
        const r = expectOk(mapOpportunityToSalesOrder(opp, demo, opts));
        expect(r.entity.header).toMatchObject({
          OrderingCustomerAccountNumber: 'US-024',
          CustomersOrderReference: '006Hs00000Dd9pEIAR',
          RequestedShippingDate: '2026-08-21T12:00:00Z',
        });
        expect(r.entity.lines.map((l) => [l.ItemNumber, l.OrderedSalesQuantity, l.SalesPrice])).toEqual([
          ['D0001', 10, 389.45],
          ['D0006', 40, 189],
        ]);
        expect(r.identity.expectedTotal).toBe('11454.50');
        expect(r.warnings).toEqual([]);
      });
    });
  }
});
