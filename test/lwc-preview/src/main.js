/* global document, window */
/**
 * Preview entry: mounts the real `c-d365-inventory` component as it sits on an Opportunity
 * record page, for the demo Opportunity picked in the page (`?opportunity=<Id>`).
 * Synthetic shadow must be imported before `lwc`, so the global SLDS stylesheet reaches inside
 * the component as in an org (imported after it, the page silently loses the SLDS styling).
 */
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import D365Inventory from 'c/d365Inventory';
import { DEMO_OPPORTUNITIES } from './demo-opportunities.js';

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
