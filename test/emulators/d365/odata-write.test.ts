import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { D365Emulator } from './index.js';
import { odataClient, startTestEmulator, type ODataClient } from './test-helpers.js';

let emu: D365Emulator;
let od: ODataClient;
beforeAll(async () => {
  emu = await startTestEmulator();
  od = await odataClient(emu);
});
afterAll(async () => emu.close());

const WRITE_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';

describe('CustomersV3 writes', () => {
  it('POST creates with a number-sequence key and returns 201 with the full entity (fixture request body)', async () => {
    const res = await od.send('POST', 'CustomersV3', {
      dataAreaId: 'usmf',
      OrganizationName: 'RFI Dryrun Customer 001 Incorporated',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
    });
    expect(res.status).toBe(201);
    expect(res.json['@odata.context']).toBe(`${emu.url}/data/$metadata#CustomersV3/$entity`);
    expect(res.json.CustomerAccount).toBe('US-025');
    expect(res.json.NameAlias).toBe('RFI Dryrun Customer ');
    expect(res.json.PartyType).toBe('Organization');
    expect(res.json.PartyNumber).toMatch(/^\d{9}$/);
    expect(res.json.LanguageId).toBe('en-US');
    expect(res.headers.get('location')).toBe(
      `${emu.url}/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-025')`,
    );
    const next = await od.send('POST', 'CustomersV3', {
      OrganizationName: 'Second',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
    });
    expect(next.json.CustomerAccount).toBe('US-026');
  });

  it('honours an explicit key and answers the real duplicate-key error', async () => {
    const body = {
      CustomerAccount: 'SF-0001',
      OrganizationName: 'Explicit',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
    };
    expect((await od.send('POST', 'CustomersV3', body)).status).toBe(201);
    const dup = await od.send('POST', 'CustomersV3', body);
    expect(dup.status).toBe(400);
    expect(dup.json.error.code).toBe('');
    expect(dup.json.error.message).toBe('An error has occurred.');
    expect(dup.json.error.innererror.type).toBe(WRITE_EXCEPTION);
    expect(dup.json.error.innererror.message).toBe(
      "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Info: Cannot create a record in Customers (CustTable). Customer account: SF-0001, Explicit.\nThe record already exists..",
    );
  });

  it('validates customer group and currency like F&O', async () => {
    const group = await od.send('POST', 'CustomersV3', {
      OrganizationName: 'X',
      CustomerGroupId: 'Local',
      SalesCurrencyCode: 'USD',
    });
    expect(group.status).toBe(400);
    expect(group.json.error.innererror.message).toBe(
      "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.; Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
    );
    const currency = await od.send('POST', 'CustomersV3', { OrganizationName: 'X', CustomerGroupId: '10' });
    expect(currency.status).toBe(400);
    expect(currency.json.error.innererror.message).toContain("Field 'Currency' must be filled in.");
  });

  it('rejects properties F&O does not have, and wrongly typed values', async () => {
    const unknown = await od.send('POST', 'CustomersV3', {
      OrganizationName: 'X',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
      Fax: '1',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.innererror.message).toContain(
      "The property 'Fax' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'",
    );
    const typed = await od.send('POST', 'CustomersV3', {
      OrganizationName: 'X',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
      CreditLimit: 'lots',
    });
    expect(typed.status).toBe(400);
    const badEnum = await od.send('POST', 'CustomersV3', {
      OrganizationName: 'X',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
      OnHoldStatus: 'Maybe',
    });
    expect(badEnum.status).toBe(400);
    // A real property the emulator does not model is accepted (and ignored).
    expect(
      (
        await od.send('POST', 'CustomersV3', {
          OrganizationName: 'Y',
          CustomerGroupId: '10',
          SalesCurrencyCode: 'USD',
          SalesMemo: 'x',
          '@odata.type': '#Microsoft.Dynamics.DataEntities.CustomerV3',
        })
      ).status,
    ).toBe(201);
  });

  it('PATCH → 204 and visible, If-Match with a stale ETag → 412, DELETE → 204 then 404', async () => {
    const created = await od.send('POST', 'CustomersV3', {
      OrganizationName: 'Patch me',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
    });
    const path = `CustomersV3(dataAreaId='usmf',CustomerAccount='${created.json.CustomerAccount}')`;
    const patched = await od.send('PATCH', path, { OrganizationName: 'Patched', CreditLimit: 5000 });
    expect(patched.status).toBe(204);
    expect(patched.text).toBe('');
    const after = await od.get(path);
    expect(after.json).toMatchObject({ OrganizationName: 'Patched', CreditLimit: 5000 });
    expect(after.json['@odata.etag']).not.toBe(created.json['@odata.etag']);
    expect(
      (await od.send('PATCH', path, { CreditLimit: 1 }, { 'if-match': created.json['@odata.etag'] })).status,
    ).toBe(412);
    expect(
      (await od.send('PATCH', path, { CreditLimit: 1 }, { 'if-match': after.json['@odata.etag'] })).status,
    ).toBe(204);
    expect((await od.send('PATCH', path, { CustomerGroupId: 'Nope' })).status).toBe(400);
    expect((await od.send('PATCH', path, { CustomerAccount: 'OTHER' })).status).toBe(400);
    expect((await od.send('PUT', path, { OrganizationName: 'Put' })).status).toBe(204);
    expect((await od.send('DELETE', path)).status).toBe(204);
    expect((await od.get(path)).status).toBe(404);
  });

  it('read-only entities refuse writes', async () => {
    const res = await od.send('POST', 'WarehousesOnHandV2', { ItemNumber: 'D0001' });
    expect(res.status).toBe(400);
  });
});

describe('sales orders', () => {
  it('creates a header with defaults from the customer (fixture minimal body) and lines priced from agreements', async () => {
    const customer = emu.control.row('CustomersV3', { CustomerAccount: 'US-001' })!;
    const header = await od.send('POST', 'SalesOrderHeadersV2', {
      OrderingCustomerAccountNumber: 'US-001',
      InvoiceCustomerAccountNumber: 'US-001',
      CurrencyCode: 'USD',
      LanguageId: 'en-us',
      dataAreaId: 'usmf',
    });
    expect(header.status).toBe(201);
    expect(header.json).toMatchObject({
      SalesOrderStatus: 'None',
      SalesOrderProcessingStatus: 'Active',
      LanguageId: 'en-US',
      SalesOrderName: customer.OrganizationName,
    });
    expect(header.json.SalesOrderNumber).toMatch(/^\d{6}$/);
    expect(header.json.RequestedShippingDate).toMatch(/T12:00:00Z$/);
    expect(header.json.OrderCreationDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const order = header.json.SalesOrderNumber;
    const product = emu.control
      .rows('ReleasedProductsV2', { company: 'usmf' })
      .find((p) => p.ItemNumber === 'D0001')!;
    const line = await od.send('POST', 'SalesOrderLines', {
      SalesOrderNumber: order,
      ItemNumber: 'D0001',
      OrderedSalesQuantity: 3,
    });
    expect(line.status).toBe(201);
    expect(line.json.InventoryLotId).toMatch(/^\d{6}$/);
    expect(line.json.LineNumber).toBe(1);
    const expectedPrice =
      customer.CustomerGroupId === '10'
        ? Math.round(Number(product.SalesPrice) * 0.95 * 100) / 100
        : product.SalesPrice;
    expect(line.json.SalesPrice).toBe(expectedPrice);
    expect(line.json.LineAmount).toBeCloseTo(3 * Number(expectedPrice), 2);
    expect(line.json.ShippingSiteId).not.toBe('');
    const second = await od.send('POST', 'SalesOrderLines', {
      SalesOrderNumber: order,
      ItemNumber: 'L0002',
      OrderedSalesQuantity: 1,
      SalesPrice: 10,
    });
    expect(second.json.LineNumber).toBe(2);
    const total = (await od.get(`SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='${order}')`)).json
      .OrderTotalAmount;
    expect(total).toBeCloseTo(line.json.LineAmount + 10, 2);
    // Deleting the header deletes its lines.
    expect(
      (await od.send('DELETE', `SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='${order}')`)).status,
    ).toBe(204);
    expect(Number((await od.get(`SalesOrderLines/$count?$filter=SalesOrderNumber eq '${order}'`)).text)).toBe(
      0,
    );
  });

  it('rejects an unknown customer, an unknown item and a line without a site', async () => {
    const noCustomer = await od.send('POST', 'SalesOrderHeadersV2', {
      OrderingCustomerAccountNumber: 'NOPE',
      CurrencyCode: 'USD',
    });
    expect(noCustomer.status).toBe(400);
    expect(noCustomer.json.error.innererror.message).toBe(
      "Write failed for table row of type 'SalesOrderHeaderV2Entity'. Infolog: Warning: The value 'NOPE' in field 'Customer account' is not found in the related table 'Customers'.; Warning: validateField failed on field 'SalesOrderHeaderV2Entity.OrderingCustomerAccountNumber'.",
    );
    const header = await od.send('POST', 'SalesOrderHeadersV2', { OrderingCustomerAccountNumber: 'US-002' });
    const order = header.json.SalesOrderNumber;
    const noItem = await od.send('POST', 'SalesOrderLines', {
      SalesOrderNumber: order,
      ItemNumber: 'NO-ITEM',
    });
    expect(noItem.status).toBe(400);
    expect(noItem.json.error.innererror.message).toContain(
      "The value 'NO-ITEM' in field 'Item number' is not found",
    );
    // Item L0007 has no default order settings (seed: every 25th item from #7), so the site is mandatory.
    const noSite = await od.send('POST', 'SalesOrderLines', { SalesOrderNumber: order, ItemNumber: 'L0007' });
    expect(noSite.status).toBe(400);
    expect(noSite.json.error.innererror.message).toBe(
      "Write failed for table row of type 'SalesOrderLineEntity'. Infolog: Warning: Inventory dimension Site is mandatory and must consequently be specified.; Error: Update has been canceled..",
    );
    const withSite = await od.send('POST', 'SalesOrderLines', {
      SalesOrderNumber: order,
      ItemNumber: 'L0007',
      ShippingSiteId: '1',
      ShippingWarehouseId: '11',
    });
    expect(withSite.status).toBe(201);
    const noOrder = await od.send('POST', 'SalesOrderLines', {
      SalesOrderNumber: '999999',
      ItemNumber: 'D0001',
    });
    expect(noOrder.status).toBe(400);
  });
});

describe('other writable entities', () => {
  it('ContactPersons, CustomerGroups and SalesPriceAgreements accept creates with their rules', async () => {
    const customer = emu.control.row('CustomersV3', { CustomerAccount: 'US-003' })!;
    const contact = await od.send('POST', 'ContactPersons', {
      FirstName: 'Ada',
      LastName: 'Lovelace',
      AssociatedPartyNumber: customer.PartyNumber,
      PrimaryEmailAddress: 'ada@example.com',
    });
    expect(contact.status).toBe(201);
    expect(contact.json).toMatchObject({
      ContactPersonName: 'Ada Lovelace',
      ContactPersonPartyType: 'Person',
    });
    expect(contact.json.ContactPersonId).toMatch(/^CP-\d{6}$/);
    expect(
      (
        await od.send('POST', 'ContactPersons', {
          FirstName: 'Bad',
          LastName: 'Party',
          AssociatedPartyNumber: '999999999',
        })
      ).status,
    ).toBe(400);
    expect(
      (await od.send('POST', 'CustomerGroups', { CustomerGroupId: '50', Description: 'New group' })).status,
    ).toBe(201);
    const dupGroup = await od.send('POST', 'CustomerGroups', {
      CustomerGroupId: '50',
      Description: 'New group',
    });
    expect(dupGroup.json.error.innererror.message).toBe(
      "Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). Customer group: 50, New group.\nThe record already exists..",
    );
    const price = await od.send('POST', 'SalesPriceAgreements', {
      ItemNumber: 'D0001',
      CustomerAccountNumber: 'US-003',
      Price: 1.5,
      PriceCurrencyCode: 'USD',
      PriceApplicableFromDate: '2020-01-01',
    });
    expect(price.status).toBe(201);
    expect(price.json.RecordId).toBeGreaterThan(5637144576);
    expect(price.json.PriceApplicableFromDate).toBe('2020-01-01T12:00:00Z');
  });
});
