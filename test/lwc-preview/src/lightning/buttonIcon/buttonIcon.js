/** Stand-in for `lightning-button-icon`: a bordered SLDS icon button; clicks bubble to the host. */
import { LightningElement, api } from 'lwc';
import { iconHref } from '../icons.js';

export default class ButtonIcon extends LightningElement {
  @api iconName;
  @api alternativeText;
  @api title;
  @api disabled = false;

  get iconUrl() {
    return iconHref(this.iconName);
  }
}
