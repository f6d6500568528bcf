/**
 * Fitting Salesforce text into F&O's shorter fields without mangling it. F&O string lengths are SQL
 * `nvarchar` lengths, i.e. UTF-16 code units — the same unit as a JavaScript string's `length` — so we
 * count with `length` but never cut a surrogate pair in half. Text is NFC-normalised first ("Zürich"
 * typed with a combining accent becomes one character and can't be split from its accent).
 */

/** `OrganizationName` (DirPartyTable.Name) holds 100 characters. [INF: standard EDT length] */
export const ORGANIZATION_NAME_MAX = 100;
/** `NameAlias` (search name) holds 20: F&O itself cut "Ingenious Development LLC" to "Ingenious Developmen" [WIRE]. */
export const NAME_ALIAS_MAX = 20;

/** Trims, NFC-normalises and collapses runs of whitespace (names have no line breaks in F&O). */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** The first `max` UTF-16 code units, backing off one if that would split a surrogate pair. */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/** Separators that look wrong at the end of a cut name ("O'Brien &", "Acme,", "Müller -"). */
const TRAILING_SEPARATORS = /[\s,;:&/+\-–—(]+$/u;

/**
 * Cuts `text` to at most `max` characters at a word boundary when one exists in the second half of the
 * allowed length, otherwise hard at `max`. No ellipsis is added (it would cost characters and end up in
 * F&O documents). Returns the text unchanged when it fits.
 */
export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const hard = cutAt(text, max);
  if (/\s/u.test(text.charAt(hard.length))) return hard.replace(TRAILING_SEPARATORS, '');
  const lastSpace = hard.search(/\s\S*$/u);
  const cut = lastSpace >= Math.floor(max / 2) ? hard.slice(0, lastSpace) : hard;
  const tidy = cut.replace(TRAILING_SEPARATORS, '');
  return tidy.length > 0 ? tidy : hard;
}

/** The search name F&O would derive: the first 20 characters, trailing spaces removed. */
export function searchName(name: string): string {
  return cutAt(name, NAME_ALIAS_MAX).trimEnd();
}
