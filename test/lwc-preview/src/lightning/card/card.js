/**
 * Stand-in for `lightning-card` (title, icon-name, `actions` slot, body) rendered with the SLDS
 * card blueprint. Small on purpose: lightning-base-components makes the build ~8× slower.
 */
import { LightningElement, api } from 'lwc';
import { iconHref } from '../icons.js';

export default class Card extends LightningElement {
  @api title;
  @api iconName;

  get iconUrl() {
    return iconHref(this.iconName);
  }

  get iconClass() {
    const [category, name] = (this.iconName ?? '').split(':');
    return `slds-icon_container slds-icon-${category}-${(name ?? '').replace(/_/g, '-')}`;
  }
}
