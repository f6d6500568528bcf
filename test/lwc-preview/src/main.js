/* global document, window */
/**
 * Preview entry: mounts the real `c-d365-inventory` component as it sits on an Opportunity
 * record page, for the demo Opportunity picked in the page (`?opportunity=<Id>`); on the
 * Account page (account.html, `?account=<Id>`) the real `c-d365-account-standing` card.
 * Synthetic shadow must be imported before `lwc`, so the global SLDS stylesheet reaches inside
 * the component as in an org (imported after it, the page silently loses the SLDS styling).
 */
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import D365Inventory from 'c/d365Inventory';
import D365AccountStanding from 'c/d365AccountStanding';
import { DEMO_OPPORTUNITIES } from './demo-opportunities.js';
import { DEMO_PREVIEW_ACCOUNTS } from './demo-accounts.js';

if (document.getElementById('account')) {
  showAccountPage();
} else {
  showOpportunityPage();
}

function showOpportunityPage() {
  const picker = document.getElementById('opportunity');
  const details = document.getElementById('opportunity-details');
  const slot = document.getElementById('widget');

  for (const opportunity of DEMO_OPPORTUNITIES) {
    const option = document.createElement('option');
    option.value = opportunity.Id;
    option.textContent = opportunity.Name;
    picker.appendChild(option);
  }

  function show(opportunityId) {
    const opportunity = DEMO_OPPORTUNITIES.find((o) => o.Id === opportunityId) ?? DEMO_OPPORTUNITIES[0];
    picker.value = opportunity.Id;
    const entity = opportunity.Account.D365_Legal_Entity__c;
    details.textContent = `${opportunity.Account.Name} · D365 Legal Entity: ${entity ?? '(none)'} · ${
      opportunity.OpportunityLineItems.length
    } product(s) · ${opportunity.Id}`;
    slot.replaceChildren();
    const element = createElement('c-d365-inventory', { is: D365Inventory });
    element.recordId = opportunity.Id;
    slot.appendChild(element);
  }

  picker.addEventListener('change', () => {
    const url = new URL(window.location.href);
    url.searchParams.set('opportunity', picker.value);
    window.history.replaceState(null, '', url);
    show(picker.value);
  });

  show(new URL(window.location.href).searchParams.get('opportunity'));
}

function showAccountPage() {
  const picker = document.getElementById('account');
  const details = document.getElementById('account-details');
  const slot = document.getElementById('card');
  for (const account of DEMO_PREVIEW_ACCOUNTS) {
    const option = document.createElement('option');
    option.value = account.Id;
    option.textContent = account.Name;
    picker.appendChild(option);
  }
  const show = (accountId) => {
    const account = DEMO_PREVIEW_ACCOUNTS.find((a) => a.Id === accountId) ?? DEMO_PREVIEW_ACCOUNTS[0];
    picker.value = account.Id;
    // No invoice count here: in the sandbox the card shows the org's invoices, not the fixed set.
    details.textContent = `D365 Legal Entity: ${account.D365_Legal_Entity__c ?? '(none)'} · ${account.Id}`;
    slot.replaceChildren();
    const element = createElement('c-d365-account-standing', { is: D365AccountStanding });
    element.recordId = account.Id;
    slot.appendChild(element);
  };
  picker.addEventListener('change', () => {
    const url = new URL(window.location.href);
    url.searchParams.set('account', picker.value);
    window.history.replaceState(null, '', url);
    show(picker.value);
  });
  show(new URL(window.location.href).searchParams.get('account'));
}
