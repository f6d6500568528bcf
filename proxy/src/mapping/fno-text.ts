/**
 * Text F&O can store. F&O keeps strings in SQL `nvarchar` columns and shows them in web forms: a NUL
 * byte, another C0/C1 control character or half of a surrogate pair either breaks the write, is
 * silently cut there, or ends up in printed documents as garbage. So every string of a body the proxy
 * sends passes here first, by kind:
 *
 *  - `singleLine` (names, phone, city, codes, extra fields): tab, CR, LF, VT, FF and the Unicode
 *    line/paragraph separators become one space, as pasting into a one-line field does;
 *  - `multiLine` (streets): tab, CR and LF are real content and stay;
 *
 * every other control character (U+0000–U+001F, U+007F–U+009F), a lone surrogate and the
 * noncharacters U+FFFE/U+FFFF are refused with the field named, never stripped: the proxy does not
 * guess what the text was meant to say.
 */
import type { FnoScalar } from './extra-fields.js';
import { reject, type Rejection } from './result.js';

export type TextKind = 'singleLine' | 'multiLine';

export type TextCheck = { ok: true; value: string } | { ok: false; problem: string };

const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r\u2028\u2029]+/g;
const MULTI_LINE_ALLOWED = new Set([0x09, 0x0a, 0x0d]);

function describe(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first character F&O must not see, as words ("a control character (U+0000)"), or undefined. */
function firstForbidden(text: string, kind: TextKind): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `half of a character (a lone surrogate ${describe(c)})`;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return `half of a character (a lone surrogate ${describe(c)})`;
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    if (control && !(kind === 'multiLine' && MULTI_LINE_ALLOWED.has(c))) {
      return `a control character (${describe(c)})`;
    }
    if (c === 0xfffe || c === 0xffff) return `a noncharacter (${describe(c)})`;
  }
  return undefined;
}

/** The text as F&O should receive it, or why it cannot be sent. */
export function fnoText(text: string, kind: TextKind): TextCheck {
  const value = kind === 'singleLine' ? text.replace(LINE_BREAKS_AND_TABS, ' ') : text;
  const problem = firstForbidden(value, kind);
  return problem === undefined ? { ok: true, value } : { ok: false, problem };
}

export interface BodyTextOptions {
  /** F&O fields whose text may span lines (streets). */
  multiLine?: ReadonlySet<string>;
  /** The Salesforce field an F&O field was read from, for the reason and `field` of a rejection. */
  source?: (fnoField: string) => string | undefined;
  /** What the body is, for the reason ("product 2"). */
  label?: string;
}

/**
 * Every string value of an F&O body checked with `fnoText` (single-line unless listed in
 * `multiLine`); returns the cleaned body, or an `INVALID_TEXT` rejection for the first bad value.
 */
export function fnoTextBody<B extends Record<string, FnoScalar>>(
  body: B,
  opts: BodyTextOptions = {},
): B | Rejection {
  const out: Record<string, FnoScalar> = {};
  for (const [field, value] of Object.entries(body)) {
    if (typeof value !== 'string') {
      out[field] = value;
      continue;
    }
    const checked = fnoText(value, opts.multiLine?.has(field) ? 'multiLine' : 'singleLine');
    if (!checked.ok) {
      const from = opts.source?.(field);
      const where = from ? `${from} (F&O ${field})` : `F&O field ${field}`;
      return reject(
        'INVALID_TEXT',
        `${opts.label ? `${opts.label}: ` : ''}${where} contains ${checked.problem}, which F&O cannot store; remove it in Salesforce.`,
        from,
      );
    }
    out[field] = checked.value;
  }
  return out as B;
}
