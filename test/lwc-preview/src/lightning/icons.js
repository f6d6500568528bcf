/** `utility:refresh` → the SLDS sprite URL the preview server serves under /slds/. */
export function iconHref(iconName) {
  const [category, name] = (iconName ?? '').split(':');
  return category && name ? `/slds/icons/${category}-sprite/svg/symbols.svg#${name}` : null;
}
