/**
 * Stand-in for `@salesforce/apex/AccountStandingController.getStanding` in the local preview.
 *
 * It does what the Apex does (force-app/main/default/classes/standing/AccountStandingController.cls
 * and CustomerStanding.cls), in as few lines as possible:
 *  1. "SOQL": the Account and its invoices come from the org when the preview runs in the sandbox
 *     (`liveAccount.js`), else from the fixed demo set (`../demo-accounts.js`); invoices that are not Paid, or dated in the last 90 days, newest first, at most 50;
 *  2. the rules: All/Invoice holds stop orders, No/Never are no hold, a 0 credit limit is none,
 *     credit used in percent to one decimal, stale after 120 minutes without a refresh;
 *  3. the result: the same shape as `AccountStandingResult`;
 *  4. errors: NOT_FOUND in the controller's JSON envelope, as LWC receives Apex errors.
 * Not modelled: NO_ACCESS (field-level security). When the Apex changes, change this file with it.
 */
import { DEMO_PREVIEW_ACCOUNTS } from '../demo-accounts.js';
import liveAccount from './liveAccount.js';

const RECENT_DAYS = 90;
const MAX_INVOICES = 50;
const STALE_AFTER_MINUTES = 120;
const BLOCKING = ['All', 'Invoice'];
const NOT_ON_HOLD = ['No', 'Never'];

export default async function getStanding({ accountId }) {
  const demo = DEMO_PREVIEW_ACCOUNTS.find((a) => a.Id === accountId);
  if (!demo) {
    throw auraError('NOT_FOUND', 'This account was not found, or you do not have access to it.');
  }
  const account = (await liveAccount(demo.Name)) ?? demo;
  const balance = account.D365_Balance__c;
  const limit = account.D365_Credit_Limit__c;
  const status = account.D365_On_Hold_Status__c;
  const refreshedAt = account.D365_Standing_Refreshed__c;
  const since = isoDay(-RECENT_DAYS);
  const invoices = account.Invoices.filter(
    (i) => i.Payment_Status__c !== 'Paid' || i.Invoice_Date__c >= since,
  )
    .sort(newestFirst)
    .slice(0, MAX_INVOICES)
    .map((i) => ({
      id: i.Id,
      invoiceNumber: i.Name,
      invoiceDate: i.Invoice_Date__c,
      dueDate: i.Due_Date__c,
      totalAmount: i.Total_Amount__c,
      amountRemaining: i.Amount_Remaining__c,
      currencyCode: i.Currency_Code__c,
      paymentStatus: i.Payment_Status__c,
      overdue: i.Payment_Status__c === 'Overdue',
    }));
  return {
    currencyCode: account.D365_Standing_Currency__c,
    balance,
    overdueAmount: account.D365_Overdue_Amount__c,
    creditLimit: limit,
    creditUsedPercent: limit > 0 ? Math.round((Math.max(0, balance ?? 0) * 1000) / limit) / 10 : null,
    overCreditLimit: limit > 0 && balance !== null && balance > limit,
    onHoldStatus: status,
    onHold: Boolean(status) && !NOT_ON_HOLD.includes(status),
    blocksOrders: BLOCKING.includes(status),
    refreshedAt,
    stale: refreshedAt !== null && Date.parse(refreshedAt) < Date.now() - STALE_AFTER_MINUTES * 60_000,
    invoices,
  };
}

function newestFirst(a, b) {
  if (a.Invoice_Date__c === b.Invoice_Date__c) return 0;
  return a.Invoice_Date__c < b.Invoice_Date__c ? 1 : -1;
}

function isoDay(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** What LWC hands to a component's catch block for an AuraHandledException. */
function auraError(code, message) {
  return {
    ok: false,
    status: 500,
    statusText: 'Server Error',
    headers: {},
    body: {
      message: JSON.stringify({ code, message, retryAfterSeconds: null }),
      exceptionType: 'System.AuraHandledException',
      isUserDefinedException: false,
      stackTrace: '',
    },
  };
}
