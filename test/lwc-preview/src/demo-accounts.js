/**
 * Demo Accounts for the Account card preview: what `AccountStandingController` would read with
 * SOQL in an org (the Account's D365 standing fields and its `Invoice__c` records), in the same
 * field names. They are the demo world's Accounts, standings and invoices
 * (test/fixtures/demo-world.js) under fixed Ids that look like real 18-character ids
 * (001 = Account). Relative days and minutes are resolved when the page loads.
 */
import { DEMO_ACCOUNTS, DEMO_INVOICES, DEMO_STANDINGS } from '../../fixtures/demo-world.js';

const MINUTE_MS = 60_000;

/** `YYYY-MM-DD` of today + `days` in the browser's calendar, as an Apex Date serializes. */
function day(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export const DEMO_PREVIEW_ACCOUNTS = DEMO_ACCOUNTS.map((account, index) => {
  const standing = DEMO_STANDINGS.find((s) => s.account === account.key);
  return {
    Id: `001DM${String(index + 1).padStart(10, '0')}AAA`,
    Name: account.Name,
    D365_Legal_Entity__c: account.D365_Legal_Entity__c,
    D365_Balance__c: standing?.balance ?? null,
    D365_Overdue_Amount__c: standing?.overdue ?? null,
    D365_Credit_Limit__c: standing?.creditLimit ?? null,
    D365_Standing_Currency__c: standing?.currency ?? null,
    D365_On_Hold_Status__c: standing?.onHoldStatus ?? null,
    D365_Standing_Refreshed__c: standing
      ? new Date(Date.now() - standing.refreshedMinutesAgo * MINUTE_MS).toISOString()
      : null,
    Invoices: DEMO_INVOICES.filter((i) => i.account === account.key).map((i) => ({
      Id: i.previewId,
      Name: i.number,
      D365_Invoice_Id__c: `${i.company}|${i.number}`,
      Invoice_Date__c: day(i.invoiceInDays),
      Due_Date__c: day(i.dueInDays),
      Total_Amount__c: i.total,
      Tax_Amount__c: i.tax,
      Amount_Remaining__c: i.remaining,
      Currency_Code__c: i.currency,
      Payment_Status__c: i.status,
    })),
  };
});

/** The preview Account of a demo-world account key. */
export function previewAccount(key) {
  const index = DEMO_ACCOUNTS.findIndex((a) => a.key === key);
  return index < 0 ? undefined : DEMO_PREVIEW_ACCOUNTS[index];
}
