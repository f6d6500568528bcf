import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { to18 } from './ids.js';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { fixturePackage, login, makeForceApp, restClient } from './test-helpers.js';

describe('Salesforce emulator: sObjects REST', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;
  const pkg = makeForceApp(fixturePackage());

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir });
    sf = restClient(emu, await login(emu));
  });
  beforeEach(() => {
    emu.control.reset();
    emu.control.resetFieldAccess();
  });
  afterAll(async () => {
    await emu.close();
    pkg.cleanup();
  });

  it('creates, reads, updates and deletes by Id with real 18-character Ids', async () => {
    const created = await sf('POST', 'sobjects/Account', { Name: 'Contoso', BillingCity: 'Seattle' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true, errors: [] });
    const id: string = created.body.id;
    expect(to18(id.slice(0, 15))).toBe(id);

    const read = await sf('GET', `sobjects/Account/${id.slice(0, 15)}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${id}` },
      Id: id,
      Name: 'Contoso',
      BillingCity: 'Seattle',
      Phone: null,
      OwnerId: expect.stringMatching(/^005/),
      CreatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/),
    });

    const updated = await sf('PATCH', `sobjects/Account/${id}`, { Phone: '+1 555 0100' });
    expect(updated.status).toBe(204);
    expect((await sf('GET', `sobjects/Account/${id}?fields=Phone`)).body).toMatchObject({
      Phone: '+1 555 0100',
    });

    expect((await sf('DELETE', `sobjects/Account/${id}`)).status).toBe(204);
    const gone = await sf('GET', `sobjects/Account/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND', fields: [] },
    ]);
  });

  it('upserts by External ID: 201 created, then 200 updated', async () => {
    const first = await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/CUST-0001', {
      Name: 'Contoso Ltd',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^001/),
      success: true,
      errors: [],
      created: true,
    });
    const again = await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/cust-0001', {
      Name: 'Contoso Limited',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, success: true, errors: [], created: false });
    const byExt = await sf('GET', 'sobjects/Account/D365_Customer_Number__c/CUST-0001');
    expect(byExt.body).toMatchObject({ Name: 'Contoso Limited', D365_Customer_Number__c: 'CUST-0001' });
  });

  it('answers 300 with the matching records when a non-unique External ID matches several', async () => {
    emu.control.putRecords('Product2', [
      { Name: 'A', ExternalId: 'X-1' },
      { Name: 'B', ExternalId: 'X-1' },
    ]);
    const res = await sf('PATCH', 'sobjects/Product2/ExternalId/X-1', { IsActive: true });
    expect(res.status).toBe(300);
    expect(res.body).toHaveLength(2);
    expect(res.body[0]).toMatch(/^\/services\/data\/v62\.0\/sobjects\/Product2\/01t/);
  });

  it('answers 404 NOT_FOUND for a field that is not an External ID, and for updateOnly without a match', async () => {
    const res = await sf('PATCH', 'sobjects/Account/Name/Contoso', { Phone: '1' });
    expect(res.status).toBe(404);
    expect(res.body[0]).toMatchObject({
      errorCode: 'NOT_FOUND',
      message: 'Provided external ID field does not exist or is not accessible: Name',
    });
    const updateOnly = await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/NEW-1?updateOnly=true', {
      Name: 'X',
    });
    expect(updateOnly.status).toBe(404);
  });

  it('reports the real error bodies: INVALID_FIELD, STRING_TOO_LONG, REQUIRED_FIELD_MISSING, DUPLICATE_VALUE', async () => {
    const unknown = await sf('POST', 'sobjects/Account', { Name: 'X', D365_Payment_Terms__c: 'Net30' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual([
      {
        message: "No such column 'D365_Payment_Terms__c' on sobject of type Account",
        errorCode: 'INVALID_FIELD',
        fields: [],
      },
    ]);

    const tooLong = await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/C-1', {
      Name: 'X',
      AccountNumber: 'x'.repeat(41),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['AccountNumber'] });
    expect(tooLong.body[0].message).toMatch(/data value too large: x+ \(max length=40\)$/);

    const missing = await sf('POST', 'sobjects/Opportunity', { Name: 'Deal' });
    expect(missing.body).toEqual([
      {
        message: 'Required fields are missing: [StageName, CloseDate]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['StageName', 'CloseDate'],
      },
    ]);

    const a = await sf('POST', 'sobjects/Account', { Name: 'A', D365_Customer_Number__c: 'DUP-1' });
    const dup = await sf('POST', 'sobjects/Account', { Name: 'B', D365_Customer_Number__c: 'dup-1' });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual([
      {
        message: `duplicate value found: D365_Customer_Number__c duplicates value on record with id: ${a.body.id.slice(0, 15)}`,
        errorCode: 'DUPLICATE_VALUE',
        fields: [],
      },
    ]);
  });

  it('restricted picklists, malformed Ids and wrong value types fail like the real API', async () => {
    const pick = await sf('POST', 'sobjects/Account', { Name: 'X', D365_Sync_Status__c: 'Maybe' });
    expect(pick.body[0]).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      fields: ['D365_Sync_Status__c'],
    });
    const badId = await sf('POST', 'sobjects/Contact', { LastName: 'X', AccountId: 'nope' });
    expect(badId.body[0]).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['AccountId'] });
    const badType = await sf('POST', 'sobjects/Account', { Name: 'X', NumberOfEmployees: 'many' });
    expect(badType.body[0].errorCode).toBe('JSON_PARSER_ERROR');
    const defaulted = await sf('POST', 'sobjects/Account', { Name: 'Defaults' });
    expect(emu.control.record('Account', defaulted.body.id)).toMatchObject({
      D365_Sync_Status__c: 'Pending',
    });
  });

  it('resolves a lookup by the parent External ID, and reports a missing one', async () => {
    await sf('PATCH', 'sobjects/Account/D365_Customer_Number__c/C-9', { Name: 'Parent' });
    const ok = await sf('PATCH', 'sobjects/Invoice__c/D365_Invoice_Id__c/INV-1', {
      Name: 'INV-1',
      Account__r: { D365_Customer_Number__c: 'C-9' },
      Amount__c: 100.5,
    });
    expect(ok.status).toBe(201);
    const inv = emu.control.record('Invoice__c', ok.body.id)!;
    expect(inv.Account__c).toMatch(/^001/);
    expect(inv.Paid__c).toBe(false);
    expect(ok.body.id).toMatch(/^a00/);

    const missing = await sf('PATCH', 'sobjects/Invoice__c/D365_Invoice_Id__c/INV-2', {
      Name: 'INV-2',
      Account__r: { D365_Customer_Number__c: 'C-404' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual([
      {
        message:
          'Foreign key external ID: C-404 not found for field D365_Customer_Number__c in entity Account',
        errorCode: 'INVALID_FIELD',
        fields: [],
      },
    ]);
  });

  it('field-level security: invisible fields are INVALID_FIELD, read-only ones INVALID_FIELD_FOR_INSERT_UPDATE; describe follows', async () => {
    emu.control.setFieldAccess('Account', 'D365_Last_Synced__c', 'none');
    emu.control.setFieldAccess('Account', 'D365_Customer_Number__c', 'read');
    const hidden = await sf('POST', 'sobjects/Account', {
      Name: 'X',
      D365_Last_Synced__c: '2025-01-01T00:00:00Z',
    });
    expect(hidden.body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: "No such column 'D365_Last_Synced__c' on sobject of type Account",
    });
    const readOnly = await sf('POST', 'sobjects/Account', { Name: 'X', D365_Customer_Number__c: 'C-1' });
    expect(readOnly.body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['D365_Customer_Number__c'],
    });
    expect(readOnly.body[0].message).toMatch(
      /^Unable to create\/update fields: D365_Customer_Number__c\. Please check the security settings/,
    );

    const describe = await sf('GET', 'sobjects/Account/describe');
    const names = describe.body.fields.map((f: { name: string }) => f.name);
    expect(names).not.toContain('D365_Last_Synced__c');
    const ext = describe.body.fields.find((f: { name: string }) => f.name === 'D365_Customer_Number__c');
    expect(ext).toMatchObject({
      type: 'string',
      length: 20,
      externalId: true,
      unique: true,
      createable: false,
      updateable: false,
      custom: true,
    });
    const name = describe.body.fields.find((f: { name: string }) => f.name === 'Name');
    expect(name).toMatchObject({
      type: 'string',
      length: 255,
      createable: true,
      updateable: true,
      nillable: false,
    });
    expect(describe.body.childRelationships).toContainEqual(
      expect.objectContaining({ childSObject: 'Invoice__c', relationshipName: 'Invoices__r' }),
    );
  });

  it('publishes platform events and validates their fields', async () => {
    const ok = await sf('POST', 'sobjects/D365_Sync_Request__e', { Record_Id__c: '001Dn0000000001AAA' });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ id: expect.stringMatching(/^e00/), success: true, errors: [] });
    const bad = await sf('POST', 'sobjects/D365_Sync_Request__e', {});
    expect(bad.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Record_Id__c'] });
    expect(emu.control.events()).toEqual([
      expect.objectContaining({
        object: 'D365_Sync_Request__e',
        payload: expect.objectContaining({ Record_Id__c: '001Dn0000000001AAA' }),
      }),
    ]);
    expect(emu.control.counters().byKind.event).toBeGreaterThanOrEqual(2);
  });

  it('keeps price book rules: no custom price without a standard price; line items roll up to the opportunity', async () => {
    const product = await sf('POST', 'sobjects/Product2', {
      Name: 'Widget',
      ProductCode: 'W-1',
      IsActive: true,
    });
    const custom = await sf('POST', 'sobjects/Pricebook2', { Name: 'EU', IsActive: true });
    const noStd = await sf('POST', 'sobjects/PricebookEntry', {
      Pricebook2Id: custom.body.id,
      Product2Id: product.body.id,
      UnitPrice: 9,
    });
    expect(noStd.body[0]).toMatchObject({ errorCode: 'STANDARD_PRICE_NOT_DEFINED' });
    const std = emu.control.records('Pricebook2').find((p) => p.IsStandard)!;
    const pbe = await sf('POST', 'sobjects/PricebookEntry', {
      Pricebook2Id: std.Id,
      Product2Id: product.body.id,
      UnitPrice: 10,
      IsActive: true,
    });
    expect(pbe.status).toBe(201);
    const acc = await sf('POST', 'sobjects/Account', { Name: 'Buyer' });
    const opp = await sf('POST', 'sobjects/Opportunity', {
      Name: 'Deal',
      AccountId: acc.body.id,
      StageName: 'Closed Won',
      CloseDate: '2025-06-30',
    });
    await sf('POST', 'sobjects/OpportunityLineItem', {
      OpportunityId: opp.body.id,
      PricebookEntryId: pbe.body.id,
      Quantity: 3,
      UnitPrice: 10,
      Discount: 10,
    });
    const o = (await sf('GET', `sobjects/Opportunity/${opp.body.id}`)).body;
    expect(o).toMatchObject({
      Amount: 27,
      IsWon: true,
      IsClosed: true,
      HasOpportunityLineItem: true,
      Pricebook2Id: std.Id,
    });
  });
});
