/**
 * Stand-in for `@salesforce/apex/InventoryController.getInventory` in the local widget preview.
 *
 * It does what the Apex does (force-app/main/default/classes/inventory/InventoryController.cls,
 * InventoryErrors.cls, bridge/D365BridgeProblem.cls), in as few lines as possible:
 *  1. "SOQL": the Opportunity comes from the fixed demo set (`../demo-opportunities.js`), its
 *     Account's standing fields from the org when the preview runs in the sandbox (`liveAccount.js`);
 *  2. the callout: `GET /v1/inventory?items=…&company=…` on the page's own origin — the preview
 *     server forwards it to the proxy and adds the dev API key, as the Named Credential adds the
 *     signed JWT in an org (so no key appears in the page);
 *  3. the result: the same shape as `InventoryResult` (lines in Opportunity order, Enough/Short/
 *     NotFound/NoItemNumber, shortBy, per-warehouse locations, the Account's hold / credit state);
 *  4. errors: the same JSON envelope `{code, message, retryAfterSeconds}` inside an
 *     AuraHandledException-like object `{ body: { message } }`, as LWC receives Apex errors.
 * Not modelled: NO_ACCESS (field-level security), the 15 s callout timeout.
 * When the Apex changes, change this file with it.
 */
import { DEMO_OPPORTUNITIES } from '../demo-opportunities.js';
import liveAccount from './liveAccount.js';

const INVENTORY_PATH = '/v1/inventory';

export default async function getInventory({ opportunityId }) {
  const opportunity = DEMO_OPPORTUNITIES.find((o) => o.Id === opportunityId);
  if (!opportunity) {
    throw auraError('NOT_FOUND', 'This opportunity was not found, or you do not have access to it.', null);
  }
  const result = { company: undefined, asOf: undefined, stale: false, lines: [], unknownItems: [] };
  // CustomerStanding.blocksOrders / overCreditLimit on the Account's standing fields.
  const standing =
    (opportunity.Account && (await liveAccount(opportunity.Account.Name))) ?? opportunity.Account ?? {};
  result.customerOnHoldStatus = standing.D365_On_Hold_Status__c ?? null;
  result.customerBlocked = ['All', 'Invoice'].includes(standing.D365_On_Hold_Status__c);
  result.overCreditLimit =
    standing.D365_Credit_Limit__c > 0 &&
    standing.D365_Balance__c !== null &&
    standing.D365_Balance__c > standing.D365_Credit_Limit__c;
  const lines = opportunity.OpportunityLineItems;
  if (lines.length === 0) return result;
  const company = opportunity.Account?.D365_Legal_Entity__c;
  if (isBlank(company)) {
    throw auraError(
      'NO_LEGAL_ENTITY',
      'The account of this opportunity has no D365 Legal Entity, so F&O cannot be asked for stock. ' +
        'Ask your administrator to fill in D365 Legal Entity on the account.',
      null,
    );
  }
  result.company = company.trim().toLowerCase();

  const itemNumbers = [];
  for (const line of lines) {
    const itemNumber = itemNumberOf(line);
    if (itemNumber !== null && !itemNumbers.includes(itemNumber)) itemNumbers.push(itemNumber);
  }
  const response = itemNumbers.length ? await fetchInventory(itemNumbers, result.company) : {};

  result.asOf = response.asOf;
  result.stale = response.stale === true;
  result.unknownItems = response.unknownItems ?? [];
  const itemsByNumber = new Map((response.items ?? []).map((item) => [item.itemNumber.toUpperCase(), item]));
  result.lines = lines.map((line) => {
    const itemNumber = itemNumberOf(line);
    return toLine(
      line,
      itemNumber,
      itemNumber === null ? undefined : itemsByNumber.get(itemNumber.toUpperCase()),
    );
  });
  return result;
}

/** D365 Item Number, else Product Code, trimmed; null when both are blank. */
function itemNumberOf(line) {
  let itemNumber = line.Product2?.D365_Item_Number__c;
  if (isBlank(itemNumber)) itemNumber = line.Product2?.ProductCode;
  return isBlank(itemNumber) ? null : itemNumber.trim();
}

function toLine(line, itemNumber, item) {
  const result = {
    lineId: line.Id,
    productName: line.Product2?.Name,
    itemNumber,
    quantity: line.Quantity ?? 0,
    shortBy: 0,
    locations: [],
  };
  if (itemNumber === null) return { ...result, status: 'NoItemNumber' };
  if (!item?.totals) return { ...result, status: 'NotFound' };
  const totals = item.totals;
  const available = nz(totals.availableOnHand);
  // Each line on its own against what can ship now (available on hand), as the Apex does.
  const shortBy = Math.max(0, result.quantity - available);
  return {
    ...result,
    available,
    reserved: nz(totals.reserved),
    onOrder: nz(totals.onOrder),
    ordered: nz(totals.ordered),
    totalAvailable: nz(totals.totalAvailable),
    shortBy,
    status: shortBy > 0 ? 'Short' : 'Enough',
    locations: (item.locations ?? []).map((l) => ({
      site: l.site,
      warehouse: l.warehouse,
      available: nz(l.availableOnHand),
      reserved: nz(l.reserved),
      onOrder: nz(l.onOrder),
      ordered: nz(l.ordered),
      totalAvailable: nz(l.totalAvailable),
    })),
  };
}

/** D365BridgeClient.send + InventoryErrors.fromBridge. */
async function fetchInventory(itemNumbers, company) {
  const query = new URLSearchParams({ items: itemNumbers.join(','), company });
  let response;
  try {
    response = await fetch(`${INVENTORY_PATH}?${query}`, {
      headers: { Accept: 'application/json, application/problem+json' },
    });
  } catch {
    throw fromBridge(
      { code: 'BRIDGE_UNREACHABLE', status: 0, detail: 'unreachable', retryAfterSeconds: null },
      company,
    );
  }
  if (response.ok) {
    try {
      return await response.json();
    } catch {
      throw auraError('UNAVAILABLE', 'The F&O Bridge sent an answer this page does not understand.', null);
    }
  }
  throw fromBridge(await readProblem(response), company);
}

/** D365BridgeProblem.toException: problem+json `code`/`detail`, Retry-After header over `retryAfterS`. */
async function readProblem(response) {
  const status = response.status;
  let problem = null;
  try {
    const parsed = JSON.parse(await response.text());
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) problem = parsed;
  } catch {
    // not JSON (a load balancer's page): keep the HTTP_<status> code
  }
  const retryAfterSeconds =
    parseSeconds(response.headers.get('Retry-After')) ?? parseSeconds(problem?.retryAfterS ?? null);
  return {
    code: nonBlank(problem?.code) ?? `HTTP_${status}`,
    status,
    detail: nonBlank(problem?.detail) ?? nonBlank(problem?.title) ?? response.statusText ?? `HTTP ${status}`,
    retryAfterSeconds,
  };
}

function fromBridge(e, company) {
  if (e.status === 429 || e.code === 'D365_THROTTLED' || e.retryAfterSeconds !== null) {
    const seconds = e.retryAfterSeconds ?? 30;
    return auraError(
      'THROTTLED',
      `F&O is busy, try again in ${seconds}${seconds === 1 ? ' second.' : ' seconds.'}`,
      seconds,
    );
  }
  if (e.code === 'UNKNOWN_COMPANY') {
    return auraError(
      'UNKNOWN_COMPANY',
      `F&O has no company "${company}". Ask your administrator to correct D365 Legal Entity on the account.`,
      null,
    );
  }
  if (e.code === 'BRIDGE_UNREACHABLE' || e.status >= 500) {
    return auraError(
      'UNAVAILABLE',
      'Stock levels are unavailable right now: the F&O Bridge could not be reached. Try again in a few minutes.',
      null,
    );
  }
  if (e.status === 401 || e.status === 403) {
    return auraError(
      'FAILED',
      `The F&O Bridge refused this request (${e.code}). Ask your administrator to check the D365_Bridge credential.`,
      null,
    );
  }
  return auraError('FAILED', `F&O could not return stock levels: ${e.detail}`, null);
}

/** What LWC hands to a component's catch block for an AuraHandledException. */
function auraError(code, message, retryAfterSeconds) {
  return {
    ok: false,
    status: 500,
    statusText: 'Server Error',
    headers: {},
    body: {
      message: JSON.stringify({ code, message, retryAfterSeconds }),
      exceptionType: 'System.AuraHandledException',
      isUserDefinedException: false,
      stackTrace: '',
    },
  };
}

/** Whole seconds rounded up, at least 1; null when absent, negative or not a number. */
function parseSeconds(value) {
  if (value === null || value === undefined || String(value).trim() === '') return null;
  const seconds = Number(String(value).trim());
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return Math.max(1, Math.ceil(seconds));
}

function nz(value) {
  return value === null || value === undefined ? 0 : value;
}

function isBlank(value) {
  return value === null || value === undefined || String(value).trim() === '';
}

function nonBlank(value) {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
