/**
 * Demo Opportunities for the widget preview: what `InventoryController.readOpportunity` would
 * read with SOQL in an org (Opportunity, Account.D365_Legal_Entity__c and standing fields, OpportunityLineItems
 * with Product2), in the same field names. They are the demo world's Opportunities
 * (test/fixtures/demo-world.js), the same the Salesforce emulator's demo org holds, under fixed
 * Ids that look like real 18-character ids (006 = Opportunity, 00k = OpportunityLineItem).
 */
import { DEMO_OPPORTUNITIES as WORLD, demoAccount, demoProduct } from '../../fixtures/demo-world.js';
import { previewAccount } from './demo-accounts.js';

export const DEMO_OPPORTUNITIES = WORLD.map((o) => {
  const account = demoAccount(o.account);
  return {
    Id: o.previewId,
    Name: o.Name,
    Account: {
      Name: account.Name,
      D365_Legal_Entity__c: account.D365_Legal_Entity__c,
      // The standing fields InventoryController reads for its hold / credit warning.
      D365_On_Hold_Status__c: previewAccount(o.account)?.D365_On_Hold_Status__c ?? null,
      D365_Balance__c: previewAccount(o.account)?.D365_Balance__c ?? null,
      D365_Credit_Limit__c: previewAccount(o.account)?.D365_Credit_Limit__c ?? null,
    },
    OpportunityLineItems: o.lines.map((l) => ({
      Id: l.previewId,
      Quantity: l.Quantity,
      Product2: product2(demoProduct(l.product)),
    })),
  };
});

/** Product2 as SOQL returns it: a field that is not set is absent. */
function product2(p) {
  const out = { Name: p.Name };
  if (p.ProductCode) out.ProductCode = p.ProductCode;
  if (p.D365_Item_Number__c) out.D365_Item_Number__c = p.D365_Item_Number__c;
  return out;
}
