/**
 * Group commit for callers that enqueue one record per request (the business-event endpoint):
 * records handed over in the same turn of the event loop — and while a previous commit is still
 * running — are written in one transaction (`enqueueMany`), so many requests share one fsync
 * instead of each paying its own (SQLite's synchronous commit blocks the event loop meanwhile).
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

export function createGroupCommit(queue: Pick<JobQueue, 'enqueue' | 'enqueueMany'>): GroupCommit {
  let pending: Pending[] = [];
  let scheduled = false;
  let running = false;

  async function commit(batch: Pending[]): Promise<void> {
    try {
      const results = await queue.enqueueMany(batch.map((p) => p.input));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch {
      for (const p of batch) await queue.enqueue(p.input).then(p.resolve, p.reject);
    }
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
      flush();
    });
  }

  return {
    enqueue<P>(input: EnqueueInput<P>) {
      return new Promise<EnqueueResult<P>>((resolve, reject) => {
        pending.push({ input, resolve: resolve as Pending['resolve'], reject });
        if (!scheduled && !running) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
