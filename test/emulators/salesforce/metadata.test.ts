import { afterAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from './index.js';
import { fieldXml, fixturePackage, login, makeForceApp, objectXml, restClient } from './test-helpers.js';

describe('Salesforce emulator: package metadata', () => {
  const pkg = makeForceApp({
    ...fixturePackage(),
    'Invoice_Line__c/Invoice_Line__c.object-meta.xml': objectXml(
      '<label>Invoice Line</label><nameField><label>Line</label><type>AutoNumber</type></nameField><pluralLabel>Invoice Lines</pluralLabel>',
    ),
    'Invoice_Line__c/fields/Invoice__c.field-meta.xml': fieldXml(
      'Invoice__c',
      '<label>Invoice</label><referenceTo>Invoice__c</referenceTo><relationshipName>Lines</relationshipName><type>MasterDetail</type>',
    ),
    'Invoice_Line__c/fields/Line_Total__c.field-meta.xml': fieldXml(
      'Line_Total__c',
      '<label>Total</label><formula>1</formula><type>Currency</type>',
    ),
    'Lead/fields/Ignored__c.field-meta.xml': fieldXml(
      'Ignored__c',
      '<label>x</label><type>Text</type><length>5</length>',
    ),
  });
  afterAll(() => pkg.cleanup());

  it('reads custom objects, platform events and fields on standard objects', async () => {
    const emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir });
    try {
      const loaded = emu.control.loadedMetadata();
      expect(loaded.objects).toEqual(
        expect.arrayContaining(['Invoice__c', 'Invoice_Line__c', 'D365_Sync_Request__e']),
      );
      expect(loaded.fields).toEqual(
        expect.arrayContaining(['Account.D365_Customer_Number__c', 'Invoice_Line__c.Invoice__c']),
      );
      const sf = restClient(emu, await login(emu));
      const line = (await sf('GET', 'sobjects/Invoice_Line__c/describe')).body;
      const byName = Object.fromEntries(line.fields.map((f: { name: string }) => [f.name, f]));
      expect(byName.Name).toMatchObject({ createable: false });
      expect(byName.Invoice__c).toMatchObject({
        type: 'reference',
        referenceTo: ['Invoice__c'],
        relationshipName: 'Invoice__r',
        nillable: false,
        updateable: false,
      });
      expect(byName.Line_Total__c).toMatchObject({ calculated: true, createable: false });
      expect(byName.OwnerId).toBeUndefined(); // master-detail children have no owner
      const inv = await sf('POST', 'sobjects/Invoice__c', { Name: 'I-1' });
      const noParent = await sf('POST', 'sobjects/Invoice_Line__c', {});
      expect(noParent.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Invoice__c'] });
      expect((await sf('POST', 'sobjects/Invoice_Line__c', { Invoice__c: inv.body.id })).status).toBe(201);
      const withLines = await sf(
        'GET',
        `query?q=${encodeURIComponent('SELECT Name, (SELECT Id FROM Lines__r) FROM Invoice__c')}`,
      );
      expect(withLines.body.records[0].Lines__r.totalSize).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it('prefixes package names in a namespaced org; unprefixed names are INVALID_FIELD there', async () => {
    const emu = await startSalesforceEmulator({ seed: 'empty', forceAppDir: pkg.dir, namespace: 'fobridge' });
    try {
      const sf = restClient(emu, await login(emu));
      const ok = await sf('PATCH', 'sobjects/Account/fobridge__D365_Customer_Number__c/C-1', {
        Name: 'Namespaced',
        Phone: '1',
      });
      expect(ok.status).toBe(201);
      const bare = await sf('POST', 'sobjects/Account', { Name: 'X', D365_Customer_Number__c: 'C-2' });
      expect(bare.body[0]).toMatchObject({
        errorCode: 'INVALID_FIELD',
        message: "No such column 'D365_Customer_Number__c' on sobject of type Account",
      });
      const inv = await sf('POST', 'sobjects/fobridge__Invoice__c', {
        Name: 'I',
        fobridge__Account__r: { fobridge__D365_Customer_Number__c: 'C-1' },
      });
      expect(inv.status).toBe(201);
      const q = await sf(
        'GET',
        `query?q=${encodeURIComponent('SELECT Name, fobridge__Account__r.Name FROM fobridge__Invoice__c')}`,
      );
      expect(q.body.records[0]).toMatchObject({
        attributes: { type: 'fobridge__Invoice__c' },
        fobridge__Account__r: { Name: 'Namespaced' },
      });
      expect((await sf('GET', 'sobjects/Invoice__c/describe')).status).toBe(404);
      expect(
        (await sf('POST', 'sobjects/fobridge__D365_Sync_Request__e', { fobridge__Record_Id__c: 'x' })).status,
      ).toBe(201);
    } finally {
      await emu.close();
    }
  });

  it('loads the real force-app package metadata (smoke)', async () => {
    const emu = await startSalesforceEmulator({ seed: 'demo' });
    try {
      const loaded = emu.control.loadedMetadata();
      console.log(
        `force-app: ${loaded.objects.length} objects, ${loaded.fields.length} custom fields loaded`,
      );
      expect(loaded.fields.length).toBeGreaterThan(0);
      const sf = restClient(emu, await login(emu));
      const described = await sf('GET', 'sobjects/Account/describe');
      expect(described.status).toBe(200);
      for (const object of loaded.objects.filter((o) => !o.endsWith('__e'))) {
        expect(
          (await sf('GET', `query?q=${encodeURIComponent(`SELECT Id FROM ${object} LIMIT 1`)}`)).status,
        ).toBe(200);
      }
    } finally {
      await emu.close();
    }
  });
});
