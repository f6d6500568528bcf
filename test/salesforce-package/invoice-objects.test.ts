/**
 * The package's invoice objects and Account standing fields as a REST client sees them: the
 * Salesforce emulator loads the real force-app metadata, so describe shows what the proxy's
 * invoice and payment flows will write into, and an upsert by the documented External IDs
 * (`USMF|CIV-000123`, `USMF|CIV-000123|1`) lands where the components read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from '../emulators/salesforce/index.js';
import { login, restClient } from '../emulators/salesforce/test-helpers.js';

interface DescribedField {
  name: string;
  type: string;
  length: number;
  precision: number;
  scale: number;
  externalId: boolean;
  picklistValues: Array<{ value: string }>;
  referenceTo: string[];
  relationshipName: string | null;
}

describe('Invoice__c, Invoice_Line__c and the Account standing fields', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;
  const fields = new Map<string, Map<string, DescribedField>>();

  const field = (object: string, name: string) => {
    const found = fields.get(object)?.get(name);
    if (!found) throw new Error(`${object}.${name} is not in describe`);
    return found;
  };

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'empty' });
    sf = restClient(emu, await login(emu));
    for (const object of ['Invoice__c', 'Invoice_Line__c', 'Account']) {
      const { status, body } = await sf<{ fields: DescribedField[] }>('GET', `sobjects/${object}/describe`);
      expect(status, object).toBe(200);
      fields.set(object, new Map(body.fields.map((f) => [f.name, f])));
    }
  });
  afterAll(async () => emu?.close());

  it('amounts are currency with F&O precision; prices and quantities keep six decimals', () => {
    for (const name of [
      'Total_Amount__c',
      'Tax_Amount__c',
      'Net_Amount__c',
      'Amount_Remaining__c',
      'Amount_Paid__c',
    ]) {
      expect([
        name,
        field('Invoice__c', name).type,
        field('Invoice__c', name).precision,
        field('Invoice__c', name).scale,
      ]).toEqual([name, 'currency', 18, 2]);
    }
    expect(field('Invoice_Line__c', 'Unit_Price__c')).toMatchObject({
      type: 'currency',
      precision: 18,
      scale: 6,
    });
    expect(field('Invoice_Line__c', 'Quantity__c')).toMatchObject({
      type: 'double',
      precision: 18,
      scale: 6,
    });
    for (const name of ['D365_Balance__c', 'D365_Overdue_Amount__c', 'D365_Credit_Limit__c']) {
      expect(field('Account', name)).toMatchObject({ type: 'currency', precision: 18, scale: 2 });
    }
  });

  it('text lengths follow F&O; dates are dates; the keys are External IDs', () => {
    expect(field('Invoice__c', 'Currency_Code__c')).toMatchObject({ type: 'string', length: 3 });
    expect(field('Invoice__c', 'Legal_Entity__c')).toMatchObject({ type: 'string', length: 4 });
    expect(field('Invoice__c', 'Sales_Order_Number__c')).toMatchObject({ type: 'string', length: 20 });
    expect(field('Invoice_Line__c', 'Unit__c')).toMatchObject({ type: 'string', length: 10 });
    expect(field('Invoice__c', 'Invoice_Date__c').type).toBe('date');
    expect(field('Invoice__c', 'Due_Date__c').type).toBe('date');
    expect(field('Invoice__c', 'Last_Payment_Date__c').type).toBe('date');
    expect(field('Invoice__c', 'D365_Invoice_Id__c')).toMatchObject({ externalId: true, length: 40 });
    expect(field('Invoice_Line__c', 'D365_Invoice_Line_Id__c')).toMatchObject({
      externalId: true,
      length: 60,
    });
  });

  it('payment status and on-hold status carry exactly the documented values', () => {
    const values = (object: string, name: string) => field(object, name).picklistValues.map((v) => v.value);
    expect(values('Invoice__c', 'Payment_Status__c')).toEqual(['Open', 'Partially paid', 'Paid', 'Overdue']);
    expect(values('Invoice__c', 'Invoice_Status__c')).toEqual(['Posted', 'Credit Note']);
    // F&O CustomersV3.OnHoldStatus, enum CustVendorBlocked, member names as F&O serializes them.
    expect(values('Account', 'D365_On_Hold_Status__c')).toEqual([
      'No',
      'Invoice',
      'All',
      'Payment',
      'Requisition',
      'Never',
      'PurchOrder',
    ]);
  });

  it('lines hang off the invoice, the invoice off Account and Opportunity', () => {
    expect(field('Invoice_Line__c', 'Invoice__c')).toMatchObject({ referenceTo: ['Invoice__c'] });
    expect(field('Invoice__c', 'Account__c')).toMatchObject({
      referenceTo: ['Account'],
      relationshipName: 'Account__r',
    });
    expect(field('Invoice__c', 'Opportunity__c')).toMatchObject({ referenceTo: ['Opportunity'] });
  });

  it('upserts an invoice and its line by the company-qualified keys, to the cent', async () => {
    const account = await sf('POST', 'sobjects/Account', {
      Name: 'Contoso Retail',
      D365_On_Hold_Status__c: 'No',
    });
    expect(account.status).toBe(201);
    const key = encodeURIComponent('USMF|CIV-000123');
    const invoice = {
      Name: 'CIV-000123',
      Account__c: account.body.id,
      Invoice_Date__c: '2026-12-01',
      Due_Date__c: '2026-12-31',
      Total_Amount__c: 5420.35,
      Tax_Amount__c: 420.35,
      Net_Amount__c: 5000,
      Amount_Remaining__c: 3710.01,
      Amount_Paid__c: 1710.34,
      Currency_Code__c: 'USD',
      Invoice_Status__c: 'Posted',
      Payment_Status__c: 'Partially paid',
      Legal_Entity__c: 'USMF',
    };
    const created = await sf('PATCH', `sobjects/Invoice__c/D365_Invoice_Id__c/${key}`, invoice);
    expect(created.status).toBe(201);
    const line = await sf(
      'PATCH',
      `sobjects/Invoice_Line__c/D365_Invoice_Line_Id__c/${encodeURIComponent('USMF|CIV-000123|1')}`,
      {
        Name: 'CIV-000123 / 1',
        Invoice__c: created.body.id,
        Line_Number__c: 1,
        Item_Number__c: 'D0001',
        Quantity__c: 12.5,
        Unit__c: 'ea',
        Unit_Price__c: 399.999999,
        Line_Amount__c: 5000,
        Tax_Amount__c: 420.35,
      },
    );
    expect(line.status).toBe(201);

    const again = await sf('PATCH', `sobjects/Invoice__c/D365_Invoice_Id__c/${key}`, {
      Payment_Status__c: 'Paid',
      Amount_Remaining__c: 0,
    });
    expect(again.status).toBe(200);
    const read = await sf(
      'GET',
      `query?q=${encodeURIComponent(
        "SELECT Name, Total_Amount__c, Amount_Remaining__c, Payment_Status__c, Invoice_Date__c, (SELECT Unit_Price__c, Quantity__c FROM Invoice_Lines__r) FROM Invoice__c WHERE D365_Invoice_Id__c = 'USMF|CIV-000123'",
      )}`,
    );
    expect(read.status).toBe(200);
    expect(read.body.records).toHaveLength(1);
    expect(read.body.records[0]).toMatchObject({
      Name: 'CIV-000123',
      Total_Amount__c: 5420.35,
      Amount_Remaining__c: 0,
      Payment_Status__c: 'Paid',
      Invoice_Date__c: '2026-12-01',
    });
    expect(read.body.records[0].Invoice_Lines__r.records[0]).toMatchObject({
      Unit_Price__c: 399.999999,
      Quantity__c: 12.5,
    });
  });
});
