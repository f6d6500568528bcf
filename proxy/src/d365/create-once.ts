/**
 * Creating a record at most once although F&O OData has no idempotency key
 * (docs/flows.md, "Create-once guarantees"). The caller gives the record a deterministic identity before the
 * first attempt (a proxy-assigned number, or a correlation field such as
 * `CustomersOrderReference` = Opportunity Id) and a `find` that looks it up by that identity.
 *
 *  1. `mayExist` (a previous attempt may have happened, e.g. a job retry) → look it up first;
 *  2. create;
 *  3. on D365AmbiguousWriteError (timeout, reset, 5xx after sending) look it up again, a few
 *     times with a short backoff, because F&O may commit a moment after the connection broke;
 *  4. still nothing → give up with a transient D365AmbiguousWriteError. It never creates a
 *     second time itself: the job queue retries later with `mayExist: true`, which starts at 1.
 */
import { D365AmbiguousWriteError } from './errors.js';
import { sleep } from './retry-policy.js';

export interface CreateOnceOptions<T> {
  find: () => Promise<T | undefined>;
  create: () => Promise<T>;
  mayExist?: boolean;
  /** Waits before each look-up after an ambiguous failure. */
  lookupDelaysMs?: readonly number[];
  signal?: AbortSignal;
}

export interface CreateOnceResult<T> {
  row: T;
  /** `created`: this call created it; `found`: it existed before; `recovered`: an ambiguous create turned out to have committed. */
  outcome: 'created' | 'found' | 'recovered';
}

export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<CreateOnceResult<T>> {
  if (options.mayExist) {
    const existing = await options.find();
    if (existing !== undefined) return { row: existing, outcome: 'found' };
  }
  try {
    return { row: await options.create(), outcome: 'created' };
  } catch (err) {
    if (!(err instanceof D365AmbiguousWriteError)) throw err;
    for (const delay of options.lookupDelaysMs ?? [250, 1000, 3000]) {
      await sleep(delay, options.signal);
      const found = await options.find();
      if (found !== undefined) return { row: found, outcome: 'recovered' };
    }
    throw new D365AmbiguousWriteError(
      `${err.message}; not found after ${(options.lookupDelaysMs ?? [0, 0, 0]).length} look-ups — retry later with mayExist`,
      {
        method: err.method,
        entity: err.entity,
        key: err.key,
        status: err.status,
        requestId: err.requestId,
        retryAfterMs: 30_000,
        cause: err,
      },
    );
  }
}
