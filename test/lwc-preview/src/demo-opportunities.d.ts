/** Types of demo-opportunities.js for TypeScript callers (the sandbox banner, tests). */
export interface DemoOpportunityLineItem {
  Id: string;
  Quantity: number;
  Product2: { Name: string; ProductCode?: string; D365_Item_Number__c?: string };
}

export interface DemoOpportunity {
  Id: string;
  Name: string;
  Account: {
    Name: string;
    D365_Legal_Entity__c: string | null;
    D365_On_Hold_Status__c: string | null;
    D365_Balance__c: number | null;
    D365_Credit_Limit__c: number | null;
  };
  OpportunityLineItems: DemoOpportunityLineItem[];
}

export const DEMO_OPPORTUNITIES: DemoOpportunity[];
