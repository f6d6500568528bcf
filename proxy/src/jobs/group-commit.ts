/**
 * Group commit for callers that enqueue one record per request (the business-event endpoint):
 * records handed over close together — in the same turn of the event loop, while a previous
 * commit is still running, or within about one commit's time of each other (at most 5 ms) — are
 * written in one transaction (`enqueueMany`), so many requests share one fsync instead of each
 * paying its own (SQLite's synchronous commit blocks the event loop meanwhile).
 * Each caller still resolves only once its record is durable, with its own outcome. When the
 * batch fails (a record the queue refuses, the store down), each record is tried on its own, so
 * one bad record fails only its own request.
 */
import type { JobQueue } from './queue.js';
import type { EnqueueInput, EnqueueResult } from './types.js';

export interface GroupCommit {
  enqueue<P>(input: EnqueueInput<P>): Promise<EnqueueResult<P>>;
}

interface Pending {
  input: EnqueueInput<unknown>;
  resolve: (r: EnqueueResult<unknown>) => void;
  reject: (err: unknown) => void;
}

/** The longest a record waits for others before its commit starts (ms). */
const MAX_GATHER_MS = 5;

export function createGroupCommit(
  queue: Pick<JobQueue, 'enqueue' | 'enqueueMany'>,
  clock: () => number = performance.now.bind(performance),
): GroupCommit {
  let pending: Pending[] = [];
  let scheduled = false;
  let running = false;
  // How long the last commit took. A synchronous store (SQLite) blocks the event loop while it
  // waits for the disk, so nothing can gather "during" a commit; instead the next one waits about
  // as long (at most MAX_GATHER_MS) and takes what arrived meanwhile: commits stay few when the
  // disk is slow and add nothing when it is fast.
  let lastCommitMs = 0;

  async function commit(batch: Pending[]): Promise<void> {
    const started = clock();
    try {
      const results = await queue.enqueueMany(batch.map((p) => p.input));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch {
      for (const p of batch) await queue.enqueue(p.input).then(p.resolve, p.reject);
    }
    lastCommitMs = clock() - started;
  }

  function flush(): void {
    scheduled = false;
    // One commit at a time: what arrives meanwhile waits and joins the next one.
    if (running || pending.length === 0) return;
    const batch = pending;
    pending = [];
    running = true;
    void commit(batch).finally(() => {
      running = false;
      schedule();
    });
  }

  function schedule(): void {
    if (scheduled || running || pending.length === 0) return;
    scheduled = true;
    const wait = Math.min(MAX_GATHER_MS, Math.floor(lastCommitMs));
    if (wait >= 1) setTimeout(flush, wait);
    else setImmediate(flush);
  }

  return {
    enqueue<P>(input: EnqueueInput<P>) {
      return new Promise<EnqueueResult<P>>((resolve, reject) => {
        pending.push({ input, resolve: resolve as Pending['resolve'], reject });
        schedule();
      });
    },
  };
}
