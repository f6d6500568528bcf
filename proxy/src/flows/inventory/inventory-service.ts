/**
 * Live inventory for the Opportunity widget (flow 5).
 *
 * Reps must never wait on F&O or see a blank box because F&O is busy, and 50 reps opening the
 * same Opportunity must cost one F&O read. So, per (company, item):
 *  - a short-TTL cache (`ttlMs`) answers repeated reads;
 *  - single-flight: an item already being fetched is awaited, never fetched twice;
 *  - all missing items of one request are fetched together in one query;
 *  - stale-while-revalidate: an expired entry triggers a refresh, but the caller waits for it
 *    only `refreshWaitMs`; if F&O is throttled, slow or down, the last known value is served with
 *    `stale: true` and its `asOf`, and the refresh goes on in the background;
 *  - with nothing cached and F&O unavailable, an `InventoryUnavailableError` (the API answers
 *    503, + Retry-After when throttled).
 */
import { Decimal } from 'decimal.js';
import { InventoryError, InventoryUnavailableError, UnknownCompanyError } from './errors.js';

/** One WarehousesOnHandV2 row, reduced to what the widget needs. */
export interface OnHandRow {
  itemNumber: string;
  site: string;
  warehouse: string;
  availableOnHand: number;
  reserved: number;
  onOrder: number;
  ordered: number;
  totalAvailable: number;
}

export interface InventorySource {
  /** All on-hand rows of these items in this company (one query, chunked by the source if long). */
  fetchOnHand(company: string, items: string[]): Promise<OnHandRow[]>;
  /** Which of these items F&O knows (released products); asked only for items with no on-hand rows. */
  fetchKnownItems(company: string, items: string[]): Promise<Set<string>>;
  /** Legal entities (dataAreaId, lower case) that exist in F&O. */
  fetchCompanies(): Promise<Set<string>>;
  /** Epoch ms until which F&O asked us to pause (429 Retry-After); 0 when not paused. */
  pausedUntil?(): number;
}

export interface Quantities {
  availableOnHand: number;
  reserved: number;
  onOrder: number;
  ordered: number;
  totalAvailable: number;
}

export interface InventoryItem {
  itemNumber: string;
  totals: Quantities;
  locations: Array<{ site: string; warehouse: string } & Quantities>;
}

export interface InventoryResult {
  asOf: string;
  stale: boolean;
  company: string;
  items: InventoryItem[];
  unknownItems: string[];
}

export interface InventoryQuery {
  company: string;
  items: string[];
  site?: string | undefined;
  warehouse?: string | undefined;
}

export interface InventoryServiceOptions {
  source: InventorySource;
  ttlMs: number;
  /** How long a caller waits for a refresh of an expired entry before getting the stale value. */
  refreshWaitMs?: number;
  /** How long a caller with nothing cached waits for F&O before a 503. */
  coldWaitMs?: number;
  /** Upper bound of cached items (oldest evicted first). */
  maxEntries?: number;
  /** Companies allowed by the mapping config; empty = every legal entity F&O has. */
  allowedCompanies?: string[];
  now?: () => number;
  onFetch?: (company: string, items: number) => void;
}

interface Entry {
  rows: OnHandRow[];
  known: boolean;
  fetchedAt: number;
  /** The unfiltered sums, computed by the first request that needs them: a cached item is read
   * by many requests, and exact decimal summing was the largest part of a warm read's CPU. */
  summary?: Omit<InventoryItem, 'itemNumber'>;
}

const QUANTITY_KEYS = ['availableOnHand', 'reserved', 'onOrder', 'ordered', 'totalAvailable'] as const;

export function createInventoryService(opts: InventoryServiceOptions) {
  const now = opts.now ?? Date.now;
  const refreshWaitMs = opts.refreshWaitMs ?? 1500;
  // Below Apex's default 10 s callout timeout, so the widget gets our answer, not a timeout.
  const coldWaitMs = opts.coldWaitMs ?? 8_000;
  const maxEntries = opts.maxEntries ?? 50_000;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();
  let companies: { set: Set<string>; fetchedAt: number } | undefined;
  let companiesInflight: Promise<Set<string>> | undefined;

  const keyOf = (company: string, item: string) => `${company}\u0000${item}`;

  function store(key: string, entry: Entry): void {
    cache.delete(key); // re-insert at the end: Map order doubles as recency
    cache.set(key, entry);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  }

  /** One F&O round trip for all the given items; each item's promise settles with it. */
  function fetchItems(company: string, items: string[]): void {
    const batch = (async () => {
      opts.onFetch?.(company, items.length);
      const rows = await opts.source.fetchOnHand(company, items);
      const byItem = new Map<string, OnHandRow[]>(items.map((i) => [i.toLowerCase(), []]));
      for (const row of rows) byItem.get(row.itemNumber.toLowerCase())?.push(row);
      const withoutRows = items.filter((i) => byItem.get(i.toLowerCase())!.length === 0);
      const known = withoutRows.length
        ? new Set([...(await opts.source.fetchKnownItems(company, withoutRows))].map((i) => i.toLowerCase()))
        : new Set<string>();
      const fetchedAt = now();
      const result = new Map<string, Entry>();
      for (const item of items) {
        const itemRows = byItem.get(item.toLowerCase())!;
        const entry = {
          rows: itemRows,
          known: itemRows.length > 0 || known.has(item.toLowerCase()),
          fetchedAt,
        };
        store(keyOf(company, item), entry);
        result.set(item, entry);
      }
      return result;
    })();
    for (const item of items) {
      const key = keyOf(company, item);
      const p = batch.then((m) => m.get(item)!);
      p.catch(() => undefined); // failures are handled by whoever awaits; never unhandled
      inflight.set(key, p);
      void p.finally(() => inflight.get(key) === p && inflight.delete(key)).catch(() => undefined);
    }
  }

  async function knownCompanies(): Promise<Set<string>> {
    if (companies && now() - companies.fetchedAt < 3_600_000) return companies.set;
    companiesInflight ??= opts.source
      .fetchCompanies()
      .then((set) => {
        companies = { set: new Set([...set].map((c) => c.toLowerCase())), fetchedAt: now() };
        return companies.set;
      })
      .finally(() => (companiesInflight = undefined));
    try {
      return await companiesInflight;
    } catch (err) {
      if (companies) return companies.set; // keep serving the last known list while F&O is down
      throw err;
    }
  }

  async function assertCompany(company: string): Promise<void> {
    const allowed = (opts.allowedCompanies ?? []).map((c) => c.toLowerCase());
    if (allowed.length && !allowed.includes(company)) {
      throw new UnknownCompanyError(company, 'is not mapped in the bridge configuration');
    }
    let set: Set<string>;
    try {
      set = await knownCompanies();
    } catch (err) {
      throw unavailable(err);
    }
    if (!set.has(company)) throw new UnknownCompanyError(company, 'is not a legal entity in F&O');
  }

  async function get(query: InventoryQuery): Promise<InventoryResult> {
    const company = query.company.trim().toLowerCase();
    await assertCompany(company);
    const items = dedupe(query.items);
    const t = now();

    const toFetch: string[] = [];
    for (const item of items) {
      const key = keyOf(company, item);
      const entry = cache.get(key);
      if (entry && t - entry.fetchedAt < opts.ttlMs) continue;
      if (!inflight.has(key)) toFetch.push(item);
    }
    if (toFetch.length) fetchItems(company, toFetch);

    let stale = false;
    let firstError: unknown;
    const entries = await Promise.all(
      items.map(async (item) => {
        const key = keyOf(company, item);
        const cached = cache.get(key);
        if (cached && t - cached.fetchedAt < opts.ttlMs) return cached;
        const pending = inflight.get(key);
        if (!pending) return cache.get(key); // settled meanwhile (a failed refresh leaves the old entry)
        const waitMs = cached ? refreshWaitMs : coldWaitMs;
        // Give up early when F&O has paused us for longer than we are willing to wait.
        const deadline = now() + waitMs;
        const pausedPastDeadline = () => (opts.source.pausedUntil?.() ?? 0) > deadline;
        const outcome = await settleWithin(pending, waitMs, pausedPastDeadline);
        if (outcome.kind === 'value') return outcome.value;
        if (outcome.kind === 'error') firstError ??= outcome.error;
        if (cached) {
          stale = true; // the refresh goes on in the background and fills the cache
          return cached;
        }
        if (outcome.kind === 'timeout') {
          const pausedFor = (opts.source.pausedUntil?.() ?? 0) - now();
          firstError ??=
            pausedFor > 0
              ? Object.assign(new Error('F&O is throttling'), { retryAfterMs: pausedFor })
              : new Error('F&O did not answer in time');
        }
        return undefined;
      }),
    );

    if (entries.some((e) => e === undefined)) throw unavailable(firstError);
    const present = entries as Entry[];
    const asOf = Math.min(...present.map((e) => e.fetchedAt));
    return {
      asOf: new Date(Number.isFinite(asOf) ? asOf : t).toISOString(),
      stale,
      company,
      items: items
        .map((itemNumber, i) => ({ itemNumber, entry: present[i]! }))
        .filter(({ entry }) => entry.known)
        .map(({ itemNumber, entry }) =>
          query.site || query.warehouse
            ? summarise(itemNumber, filterRows(entry.rows, query))
            : { itemNumber, ...(entry.summary ??= sums(entry.rows)) },
        ),
      unknownItems: items.filter((_, i) => !present[i]!.known),
    };
  }

  return { get, cacheSize: () => cache.size };
}

export type InventoryService = ReturnType<typeof createInventoryService>;

function dedupe(items: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of items) {
    const item = raw.trim();
    if (!item || seen.has(item.toLowerCase())) continue;
    seen.add(item.toLowerCase());
    out.push(item);
  }
  return out;
}

function filterRows(rows: OnHandRow[], q: InventoryQuery): OnHandRow[] {
  const site = q.site?.toLowerCase();
  const warehouse = q.warehouse?.toLowerCase();
  return rows.filter(
    (r) =>
      (!site || r.site.toLowerCase() === site) && (!warehouse || r.warehouse.toLowerCase() === warehouse),
  );
}

/** Sums per site/warehouse (F&O returns one row per product-dimension combination) and in total. */
export function summarise(itemNumber: string, rows: OnHandRow[]): InventoryItem {
  const zero = () =>
    Object.fromEntries(QUANTITY_KEYS.map((k) => [k, new Decimal(0)])) as Record<string, Decimal>;
  const totals = zero();
  const locations = new Map<string, { site: string; warehouse: string; q: Record<string, Decimal> }>();
  for (const row of rows) {
    const key = `${row.site}\u0000${row.warehouse}`;
    let loc = locations.get(key);
    if (!loc) locations.set(key, (loc = { site: row.site, warehouse: row.warehouse, q: zero() }));
    for (const k of QUANTITY_KEYS) {
      loc.q[k] = loc.q[k]!.plus(row[k]);
      totals[k] = totals[k]!.plus(row[k]);
    }
  }
  const toNumbers = (q: Record<string, Decimal>) =>
    Object.fromEntries(QUANTITY_KEYS.map((k) => [k, q[k]!.toNumber()])) as unknown as Quantities;
  return {
    itemNumber,
    totals: toNumbers(totals),
    locations: [...locations.values()]
      .sort((a, b) => a.site.localeCompare(b.site) || a.warehouse.localeCompare(b.warehouse))
      .map((l) => ({ site: l.site, warehouse: l.warehouse, ...toNumbers(l.q) })),
  };
}

function sums(rows: OnHandRow[]): Omit<InventoryItem, 'itemNumber'> {
  const { totals, locations } = summarise('', rows);
  return { totals, locations };
}

type Settled<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

async function settleWithin<T>(p: Promise<T>, ms: number, giveUp?: () => boolean): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
    if (giveUp) poll = setInterval(() => giveUp() && resolve({ kind: 'timeout' }), 50);
  });
  try {
    return await Promise.race([
      p.then(
        (value): Settled<T> => ({ kind: 'value', value }),
        (error: unknown): Settled<T> => ({ kind: 'error', error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
  }
}

/** F&O could not answer and nothing is cached: tell the widget when to try again. */
function unavailable(err: unknown): InventoryError {
  if (err instanceof InventoryError) return err;
  const retryAfterMs = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfterMs === 'number')
    return new InventoryUnavailableError('D365_THROTTLED', Math.max(1, Math.ceil(retryAfterMs / 1000)), err);
  return new InventoryUnavailableError('D365_UNAVAILABLE', 5, err);
}
