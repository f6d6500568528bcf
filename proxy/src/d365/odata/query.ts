/** Query-string building: the only place OData system query options are written. */
import { and, eq, type Filter } from './filter.js';
import { assertIdentifier, assertPropertyPath, encodeUrlText } from './literal.js';

export type Expand = string | { nav: string; select?: string[] };

export interface QueryParts {
  filter?: Filter;
  select?: readonly string[];
  /** One level only (F&O). `{ nav: 'SalesOrderLines', select: ['ItemNumber'] }`. */
  expand?: readonly Expand[];
  /** `'Name'`, `['Name', 'desc']`. */
  orderby?: ReadonlyArray<string | readonly [string, 'asc' | 'desc']>;
  top?: number;
  skip?: number;
  count?: boolean;
  /** Restrict to one legal entity: adds `dataAreaId eq '<company>'` and `cross-company=true`. */
  company?: string;
  /** All companies the integration user can see. */
  crossCompany?: boolean;
}

function nonNegativeInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${what} must be a non-negative integer`);
  return n;
}

export function buildQuery(q: QueryParts = {}): string {
  const params: string[] = [];
  let filter = q.filter;
  if (q.company !== undefined) filter = and(eq('dataAreaId', q.company.toLowerCase()), filter);
  if (q.company !== undefined || q.crossCompany) params.push('cross-company=true');
  if (filter) params.push(`$filter=${encodeUrlText(filter.text)}`);
  if (q.select?.length) params.push(`$select=${q.select.map(assertPropertyPath).join(',')}`);
  if (q.expand?.length) {
    const parts = q.expand.map((e) =>
      typeof e === 'string'
        ? assertIdentifier(e, 'navigation property')
        : `${assertIdentifier(e.nav, 'navigation property')}${e.select?.length ? `($select=${e.select.map(assertPropertyPath).join(',')})` : ''}`,
    );
    params.push(`$expand=${parts.join(',')}`);
  }
  if (q.orderby?.length) {
    const parts = q.orderby.map((o) =>
      typeof o === 'string'
        ? assertPropertyPath(o)
        : `${assertPropertyPath(o[0])}${encodeUrlText(` ${o[1] === 'desc' ? 'desc' : 'asc'}`)}`,
    );
    params.push(`$orderby=${parts.join(',')}`);
  }
  if (q.top !== undefined) params.push(`$top=${nonNegativeInt(q.top, '$top')}`);
  if (q.skip !== undefined) params.push(`$skip=${nonNegativeInt(q.skip, '$skip')}`);
  if (q.count) params.push('$count=true');
  return params.join('&');
}
