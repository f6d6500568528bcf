/**
 * How long a throttled response asks us to wait, from its headers. The one place that reads
 * `Retry-After` (in the order of Azure SDK's throttlingRetryStrategy):
 *   1. `retry-after-ms`        milliseconds
 *   2. `x-ms-retry-after-ms`   milliseconds
 *   3. `Retry-After`           seconds (F&O sends this form: `Retry-After: 60`)
 *   4. `Retry-After`           HTTP-date, floored at 0
 * Returns undefined when none is present or parseable. Never capped: a long Retry-After is
 * honoured in full (capping it would send requests F&O has said it will refuse).
 */
export type HeaderBag = Record<string, unknown> | { get(name: string): unknown };

function header(headers: HeaderBag, name: string): string | undefined {
  const raw =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): unknown }).get(name)
      : findCaseInsensitive(headers as Record<string, unknown>, name);
  if (raw === undefined || raw === null) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

function findCaseInsensitive(headers: Record<string, unknown>, name: string): unknown {
  if (name in headers) return headers[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const NUMBER = /^\d+(\.\d+)?$/;

export function retryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = header(headers, name);
    if (v !== undefined && NUMBER.test(v)) return Math.ceil(Number(v));
  }
  const ra = header(headers, 'retry-after');
  if (ra === undefined) return undefined;
  if (NUMBER.test(ra)) return Math.ceil(Number(ra) * 1000);
  const date = Date.parse(ra);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
