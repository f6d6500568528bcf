/**
 * Salesforce dates (`2026-11-30`) and datetimes (`2026-11-26T10:15:00.000+0000`) to F&O's date-only
 * form: a date-only X++ field travels as an Edm.DateTimeOffset at 12:00:00Z (`2026-11-30T12:00:00Z`,
 * reference d365.md §1.0).
 */

const SF_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The calendar date (`YYYY-MM-DD`) of a Salesforce date or datetime, or undefined when it is not one. */
export function salesforceDate(value: string): string | undefined {
  const m = SF_DATE.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Rejects 2026-02-30 and friends, which Date.UTC would silently roll over.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  if (year < 1900 || year > 2154) return undefined; // F&O's empty and "max" dates bound the range.
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** `2026-11-30` → `2026-11-30T12:00:00Z`. */
export function fnoDateOnly(date: string): string {
  return `${date}T12:00:00Z`;
}
