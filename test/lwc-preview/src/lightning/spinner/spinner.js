/** Stand-in for `lightning-spinner` (SLDS spinner blueprint, brand colour). */
import { LightningElement, api } from 'lwc';

export default class Spinner extends LightningElement {
  @api alternativeText;
  @api size = 'medium';

  get spinnerClass() {
    return `slds-spinner slds-spinner_brand slds-spinner_${this.size}`;
  }
}
