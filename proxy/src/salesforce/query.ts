import type { SalesforceHttp } from './http.js';
import type { Namespacer } from './names.js';
import type { QueryPage } from './types.js';

/**
 * SOQL as an async iterator: the first page from `/query?q=`, then `nextRecordsUrl` until
 * `done`. Records are yielded with package (un-namespaced) names; `attributes` is kept.
 */
export async function* queryRecords<T>(
  http: SalesforceHttp,
  names: Namespacer,
  soql: string,
  options: { batchSize?: number; includeDeleted?: boolean } = {},
): AsyncGenerator<T, void, undefined> {
  const headers = options.batchSize
    ? { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }
    : undefined;
  const resource = options.includeDeleted ? 'queryAll' : 'query';
  let page = (
    await http.request<QueryPage<unknown>>({
      method: 'GET',
      path: `${resource}?q=${encodeURIComponent(names.soql(soql))}`,
      ...(headers ? { headers } : {}),
    })
  ).body;
  for (;;) {
    for (const record of page.records) yield names.fromSf<T>(record);
    if (page.done || !page.nextRecordsUrl) return;
    page = (
      await http.request<QueryPage<unknown>>({
        method: 'GET',
        path: page.nextRecordsUrl,
        ...(headers ? { headers } : {}),
      })
    ).body;
  }
}
