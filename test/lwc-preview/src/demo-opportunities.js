/**
 * Demo Opportunities for the widget preview: what `InventoryController.readOpportunity` would
 * read with SOQL in an org (Opportunity, Account.D365_Legal_Entity__c, OpportunityLineItems
 * with Product2), in the same field names. Item numbers exist in the F&O emulator's demo seed
 * (`test/emulators/d365/seed.ts`); quantities are chosen so that some lines are enough and
 * some short with that seed. Ids look like real 18-character ids (006 = Opportunity,
 * 00k = OpportunityLineItem) but exist nowhere.
 */
export const DEMO_OPPORTUNITIES = [
  {
    Id: '006DM0000000001AAA',
    Name: 'Contoso — conference rooms refit',
    Account: { Name: 'Contoso Entertainment', D365_Legal_Entity__c: 'USMF' },
    OpportunityLineItems: [
      line('00kDM0000000101AAA', 24, {
        Name: 'Speaker Mini',
        ProductCode: 'SPK-MINI',
        D365_Item_Number__c: 'D0001',
      }),
      // No D365 Item Number: the Product Code is the F&O item number (as the Apex falls back).
      line('00kDM0000000102AAA', 60, { Name: 'Monitor Max', ProductCode: 'L0002' }),
      line('00kDM0000000103AAA', 450, {
        Name: 'Screen Pro',
        ProductCode: 'SCR-PRO',
        D365_Item_Number__c: 'P0003',
      }),
      line('00kDM0000000104AAA', 2, { Name: 'Legacy Speaker', ProductCode: 'Z9999' }),
      line('00kDM0000000105AAA', 1, { Name: 'Installation service' }),
    ],
  },
  {
    Id: '006DM0000000002AAA',
    Name: 'Contoso Retail — store roll-out',
    Account: { Name: 'Contoso Retail', D365_Legal_Entity__c: 'usrt' },
    OpportunityLineItems: [
      line('00kDM0000000201AAA', 40, {
        Name: 'Television Classic',
        ProductCode: 'TV-CLASSIC',
        D365_Item_Number__c: 'L0002',
      }),
      line('00kDM0000000202AAA', 700, { Name: 'Adapter Max', ProductCode: 'T0005' }),
    ],
  },
  {
    Id: '006DM0000000003AAA',
    Name: 'Fabrikam — new opportunity, no products yet',
    Account: { Name: 'Fabrikam', D365_Legal_Entity__c: 'usmf' },
    OpportunityLineItems: [],
  },
  {
    Id: '006DM0000000004AAA',
    Name: 'Northwind — account without a D365 Legal Entity',
    Account: { Name: 'Northwind Traders', D365_Legal_Entity__c: null },
    OpportunityLineItems: [
      line('00kDM0000000401AAA', 5, { Name: 'Speaker Mini', D365_Item_Number__c: 'D0001' }),
    ],
  },
  {
    Id: '006DM0000000005AAA',
    Name: 'Tailspin — account in a legal entity F&O does not have',
    Account: { Name: 'Tailspin Toys', D365_Legal_Entity__c: 'zzzz' },
    OpportunityLineItems: [
      line('00kDM0000000501AAA', 5, { Name: 'Speaker Mini', D365_Item_Number__c: 'D0001' }),
    ],
  },
];

function line(Id, Quantity, Product2) {
  return { Id, Quantity, Product2 };
}
