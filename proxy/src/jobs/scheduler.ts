/**
 * Recurring work from cron expressions. Each tick, every replica computes the schedule's most
 * recent slot (the latest cron time ≤ now) and tries to record it in the store; the store lets
 * exactly one caller record a given slot (`claimScheduleSlot`), and that caller enqueues one job
 * (flow = the schedule's flow, key = `schedule:<name>`, version = the slot as ISO time). So:
 *
 * - once per slot across replicas: the slot row is the arbiter;
 * - survives restarts: the slot is recorded before the job is enqueued, and the enqueue is itself
 *   idempotent (same key + version → duplicate), so a crash between the two cannot double-run;
 *   the job then gets the queue's retries, dead letters and replay like any other;
 * - after downtime, missed slots are not replayed one by one: only the latest missed slot runs, once;
 * - a schedule seen for the first time records its latest slot without running it (it waits for
 *   the next slot) unless `runOnFirstSight` is set.
 *
 * Known gap: a crash after recording the slot and before the enqueue commits loses that slot's
 * run (the next slot runs normally). Both are milliseconds apart; we accept it over double runs.
 */
import { CronExpressionParser } from 'cron-parser';
import type { JobLogger, JobQueue } from './queue.js';

export interface ScheduleDefinition {
  /** Unique name, e.g. `payments-hourly`. */
  name: string;
  /** Cron expression (5 fields, or 6 with seconds), evaluated in `tz` (default UTC). */
  cron: string;
  /** The flow whose handler runs the work (register it on the queue). */
  flow: string;
  payload?: Record<string, unknown>;
  tz?: string;
  runOnFirstSight?: boolean;
}

export interface SchedulerOptions {
  queue: JobQueue;
  schedules: readonly ScheduleDefinition[];
  /** How often to look at the clock (ms; default 1000). */
  tickMs?: number;
  logger?: JobLogger;
  clock?: () => number;
}

export interface ScheduledPayload {
  schedule: string;
  /** The slot this run is for (ISO). */
  slot: string;
  [k: string]: unknown;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  /** Evaluate every schedule once now; returns the names that fired (tests). */
  tick(): Promise<string[]>;
}

/** The latest cron slot at or before `now` (epoch ms), or null when the expression has none. */
export function latestSlot(cron: string, now: number, tz = 'UTC'): number | null {
  // cron-parser's prev() is strictly before currentDate: start just after now to include now.
  const it = CronExpressionParser.parse(cron, { currentDate: new Date(now + 1), tz });
  try {
    return it.prev().getTime();
  } catch {
    return null;
  }
}

export function validateCron(cron: string, tz = 'UTC'): void {
  CronExpressionParser.parse(cron, { tz });
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? Date.now;
  const log = opts.logger;
  const names = new Set<string>();
  for (const s of opts.schedules) {
    if (names.has(s.name)) throw new Error(`Duplicate schedule name "${s.name}"`);
    names.add(s.name);
    try {
      validateCron(s.cron, s.tz);
    } catch (err) {
      throw new Error(
        `Invalid cron expression for schedule "${s.name}": ${s.cron} (${(err as Error).message})`,
      );
    }
  }
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<string[]> | null = null;

  async function fireIfDue(s: ScheduleDefinition, now: number): Promise<boolean> {
    const slot = latestSlot(s.cron, now, s.tz);
    if (slot === null) return false;
    const store = opts.queue.store;
    if (!s.runOnFirstSight && (await store.getScheduleSlot(s.name)) === null) {
      await store.claimScheduleSlot(s.name, slot, now); // baseline: wait for the next slot
      return false;
    }
    if (!(await store.claimScheduleSlot(s.name, slot, now))) return false;
    const slotIso = new Date(slot).toISOString();
    const payload: ScheduledPayload = { ...(s.payload ?? {}), schedule: s.name, slot: slotIso };
    const r = await opts.queue.enqueue({
      flow: s.flow,
      key: `schedule:${s.name}`,
      version: slotIso,
      payload,
    });
    log?.info({ schedule: s.name, slot: slotIso, jobId: r.job.id, outcome: r.outcome }, 'schedule fired');
    return true;
  }

  async function tick(): Promise<string[]> {
    const now = clock();
    const fired: string[] = [];
    for (const s of opts.schedules) {
      try {
        if (await fireIfDue(s, now)) fired.push(s.name);
      } catch (err) {
        log?.error({ err, schedule: s.name }, 'schedule tick failed; will try again');
      }
    }
    return fired;
  }

  return {
    tick: () => (ticking ??= tick().finally(() => (ticking = null))),
    start() {
      if (timer) return;
      timer = setInterval(
        () => void (ticking ??= tick().finally(() => (ticking = null))),
        opts.tickMs ?? 1000,
      );
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
    },
  };
}
