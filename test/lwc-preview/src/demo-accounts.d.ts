/** Types of demo-accounts.js for the TypeScript tests. */
export interface PreviewInvoice {
  Id: string;
  Name: string;
  D365_Invoice_Id__c: string;
  Invoice_Date__c: string;
  Due_Date__c: string;
  Total_Amount__c: number;
  Tax_Amount__c: number;
  Amount_Remaining__c: number;
  Currency_Code__c: string;
  Payment_Status__c: string;
}

export interface PreviewAccount {
  Id: string;
  Name: string;
  D365_Legal_Entity__c: string | null;
  D365_Balance__c: number | null;
  D365_Overdue_Amount__c: number | null;
  D365_Credit_Limit__c: number | null;
  D365_Standing_Currency__c: string | null;
  D365_On_Hold_Status__c: string | null;
  D365_Standing_Refreshed__c: string | null;
  Invoices: PreviewInvoice[];
}

export const DEMO_PREVIEW_ACCOUNTS: PreviewAccount[];
export function previewAccount(key: string): PreviewAccount | undefined;
