/**
 * The worker side of the durable queue: validates and enqueues, claims due jobs with a lease,
 * runs the flow's handler, and records the outcome (done, retry with backoff, dead letter).
 *
 * Delivery is at-least-once: a worker that dies mid-job loses its lease and the job runs again
 * (handlers must be safe to repeat — look up before create). Per key, jobs run one at a time, in
 * version order (the store guarantees it across replicas).
 *
 * A flow may instead declare a group handler (`registerGroupHandler`): its due jobs are claimed
 * together, at most once per `everyMs` unless the last claim came back full, and handed over as
 * one group, so one remote call can serve many jobs. The outcome is still recorded per job,
 * fenced by its attempt: one job of a group can retry or dead-letter while the others complete.
 */
import { setMaxListeners } from 'node:events';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { DEFAULT_BACKOFF, decideAfterFailure, decideBeforeRun, type BackoffPolicy } from './decisions.js';
import { JobValidationError, StoreUnavailableError, TransientJobError } from './errors.js';
import { createJobMetrics, type JobMetrics } from './metrics.js';
import type {
  EnqueueInput,
  EnqueueResult,
  Housekeeping,
  Job,
  JobErrorInfo,
  JobStore,
  ScheduleStore,
} from './types.js';

/** What the queue needs of the store: its jobs, retention and counts, and (for the scheduler) slots. */
export type QueueStore = JobStore & Housekeeping & ScheduleStore;
import { validateEnqueueInput } from './validate.js';

/** pino-compatible (pino, Fastify's `app.log`, or the no-op default). */
export interface JobLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): JobLogger;
}

export interface JobContext {
  /** Aborted when the lease is lost (another worker may run the job) or on shutdown. */
  signal: AbortSignal;
  log: JobLogger;
  /** 1 on the first run; > 1 means an earlier attempt may have partly happened: look up first. */
  attempt: number;
  /**
   * Say that this job's F&O work is over and it now only waits on something else (its Salesforce
   * write-back): it stops counting against the queue's `capacity`, so another job can take its
   * turn at F&O; it still counts against the JOB_CONCURRENCY bound and keeps its lease. Idempotent;
   * the end of the handler does it anyway.
   */
  releaseCapacity(): void;
}

export type JobHandler<P = unknown> = (job: Job<P>, ctx: JobContext) => Promise<void>;

export interface HandlerOptions<P> {
  /** Enqueue validates payloads of this flow with it (and stores what it returns). */
  payload?: z.ZodType<P>;
}

/** What became of one job of a group: done, or the error it failed with (classified as a handler's). */
export type GroupOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * Runs the jobs of one claim together and says, per job id, how each ended. A job missing from
 * the answer fails transiently; a throw fails every job of the group with that error.
 */
export type GroupHandler<P = unknown> = (
  jobs: readonly Job<P>[],
  ctx: { signal: AbortSignal; log: JobLogger },
) => Promise<ReadonlyMap<string, GroupOutcome>>;

export interface GroupHandlerOptions<P> extends HandlerOptions<P> {
  /** Most jobs in one group. */
  maxJobs: number;
  /** Claim at most once per this many ms (unless the last claim was full): what a group gathers. */
  everyMs: number;
  /** Groups of this flow running at once (default 2). */
  maxGroups?: number;
}

export interface JobQueueOptions {
  store: QueueStore;
  logger?: JobLogger;
  /** prom-client registry: the queue registers `fobridge_jobs_*` metrics on it. */
  registry?: Registry;
  // The settings below are required: their defaults live once, in the config schema
  // (`JOB_*` in config.ts); jobs/setup.ts's jobQueueSettings converts them.
  /** JOB_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** JOB_MAX_AGE_H in ms. */
  maxAgeMs: number;
  /** JOB_LEASE_S in ms. */
  leaseMs: number;
  /**
   * JOB_CONCURRENCY: the most handlers running at once in this process — a safety bound;
   * `capacity` decides below it.
   */
  concurrency: number;
  /**
   * How many jobs may run at once right now, read before every claim: the runtime passes the F&O
   * governor's current limit plus a small look-ahead, so job concurrency follows what F&O takes
   * (no setting to tune). Absent: `concurrency` alone.
   */
  capacity?: () => number;
  /** JOB_POLL_MS: how often an idle worker looks for due jobs. */
  pollMs: number;
  /** JOB_RETENTION_H in ms. */
  retentionMs: number;
  /** JOB_MAX_PAYLOAD_BYTES. */
  maxPayloadBytes: number;
  backoff?: BackoffPolicy;
  /** How often retention runs (ms; default 60 s). */
  purgeEveryMs?: number;
  /** For tests. */
  clock?: () => number;
  random?: () => number;
}

export interface JobQueue {
  readonly store: QueueStore;
  registerHandler<P>(flow: string, handler: JobHandler<P>, opts?: HandlerOptions<P>): void;
  /** Jobs of `flow` run in groups (see the module comment); a flow has one kind of handler. */
  registerGroupHandler<P>(flow: string, handler: GroupHandler<P>, opts: GroupHandlerOptions<P>): void;
  /** Validate, then write durably; resolves only after the store committed. */
  enqueue<P>(input: EnqueueInput<P>): Promise<EnqueueResult<P>>;
  /** All-or-nothing: one invalid record rejects the whole batch and nothing is written. */
  enqueueMany<P>(inputs: readonly EnqueueInput<P>[]): Promise<EnqueueResult<P>[]>;
  start(opts?: { concurrency?: number }): void;
  /** Stop claiming; wait up to `graceMs` for running handlers, then abort and release the rest. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Claim and run what is due now, once, and wait for it (tests, CLI one-shots). */
  runDue(): Promise<number>;
  readonly running: boolean;
}

const noopLogger: JobLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function createJobQueue(opts: JobQueueOptions): JobQueue {
  return new Queue(opts);
}

interface InFlight {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
  /** Still counted against `capacity` (not yet released by the handler). */
  holdsCapacity: boolean;
}

interface GroupEntry {
  handler: GroupHandler<any>;
  maxJobs: number;
  everyMs: number;
  maxGroups: number;
  running: number;
  /** Ends the loop's current wait (a group finished, or stop()). */
  wake?: () => void;
}

/** Outcomes recorded between two turns of the event loop when a group ends. */
const SETTLE_SLICE = 20;

const NO_RESULT = { code: 'NO_GROUP_RESULT', message: 'the group handler gave no result for this job' };

class Queue implements JobQueue {
  readonly store: QueueStore;
  private readonly log: JobLogger;
  private readonly handlers = new Map<string, { handler: JobHandler<any>; payload?: z.ZodType<unknown> }>();
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly o: Required<
    Omit<JobQueueOptions, 'store' | 'logger' | 'registry' | 'clock' | 'random' | 'capacity'>
  >;
  private readonly capacity: (() => number) | undefined;
  private readonly metrics: JobMetrics | null;
  private readonly inFlight = new Map<string, InFlight>();
  /** Running jobs still counted against `capacity` (see JobContext.releaseCapacity). */
  private holdingCapacity = 0;
  private readonly groups = new Map<string, GroupEntry>();
  /** Running groups (their controllers abort on a shutdown past the grace period). */
  private readonly groupsInFlight = new Set<{ controller: AbortController; done: Promise<void> }>();
  private groupLoops: Promise<void>[] = [];
  private started = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(opts: JobQueueOptions) {
    this.store = opts.store;
    this.log = opts.logger ?? noopLogger;
    this.clock = opts.clock ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.o = {
      maxAttempts: opts.maxAttempts,
      maxAgeMs: opts.maxAgeMs,
      leaseMs: opts.leaseMs,
      concurrency: opts.concurrency,
      pollMs: opts.pollMs,
      retentionMs: opts.retentionMs,
      maxPayloadBytes: opts.maxPayloadBytes,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      purgeEveryMs: opts.purgeEveryMs ?? 60_000,
    };
    this.capacity = opts.capacity;
    this.metrics = opts.registry ? createJobMetrics(opts.registry, this.store, this.clock) : null;
  }

  get running(): boolean {
    return this.started && !this.stopping;
  }

  registerHandler<P>(flow: string, handler: JobHandler<P>, opts: HandlerOptions<P> = {}): void {
    if (this.handlers.has(flow)) throw new Error(`A handler for flow "${flow}" is registered already`);
    const entry: { handler: JobHandler<any>; payload?: z.ZodType<unknown> } = { handler };
    if (opts.payload) entry.payload = opts.payload as z.ZodType<unknown>;
    this.handlers.set(flow, entry);
  }

  registerGroupHandler<P>(flow: string, handler: GroupHandler<P>, opts: GroupHandlerOptions<P>): void {
    // The payload schema (enqueue's validation) lives with the per-job handlers; the group's run
    // is what `groups` holds, and the per-job claim loop leaves these flows alone.
    this.registerHandler<P>(flow, () => Promise.reject(new Error(`${flow} runs in groups`)), opts);
    this.groups.set(flow, {
      handler,
      maxJobs: Math.max(1, opts.maxJobs),
      everyMs: Math.max(0, opts.everyMs),
      maxGroups: Math.max(1, opts.maxGroups ?? 2),
      running: 0,
    });
  }

  private validate<P>(input: EnqueueInput<P>, where: string): EnqueueInput<P> {
    if (typeof input !== 'object' || input === null) {
      throw new JobValidationError(`Invalid job (${where}): not an object`, [
        { path: '', message: 'expected object' },
      ]);
    }
    const schema = this.handlers.get(input.flow)?.payload as z.ZodType<P> | undefined;
    return validateEnqueueInput(input, schema, this.o.maxPayloadBytes, where);
  }

  async enqueue<P>(input: EnqueueInput<P>): Promise<EnqueueResult<P>> {
    const valid = this.validate(input, `${input?.flow}/${input?.key}`);
    const result = await this.store.enqueue(valid, this.clock());
    this.nudge();
    return result;
  }

  async enqueueMany<P>(inputs: readonly EnqueueInput<P>[]): Promise<EnqueueResult<P>[]> {
    const valid = inputs.map((input, i) => this.validate(input, `record ${i}`));
    if (valid.length === 0) return [];
    const results = await this.store.enqueueMany(valid, this.clock());
    this.nudge();
    return results;
  }

  start(opts: { concurrency?: number } = {}): void {
    if (this.started) return;
    if (opts.concurrency !== undefined) this.o.concurrency = opts.concurrency;
    this.started = true;
    this.stopping = false;
    this.loop = this.runLoop();
    this.groupLoops = [...this.groups].map(([flow, g]) => this.groupLoop(flow, g));
    const purge = () => {
      this.store
        .purge({ now: this.clock(), retentionMs: this.o.retentionMs })
        .then((n) => n > 0 && this.log.info({ deleted: n }, 'job retention: deleted finished jobs'))
        .catch((err: unknown) => this.log.warn({ err }, 'job retention failed; will try again'));
    };
    purge();
    this.purgeTimer = setInterval(purge, this.o.purgeEveryMs);
    this.purgeTimer.unref();
  }

  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    this.nudge();
    for (const g of this.groups.values()) g.wake?.();
    await Promise.all([this.loop, ...this.groupLoops]);
    const graceMs = opts.graceMs ?? 10_000;
    const running = () => [...this.inFlight.values(), ...this.groupsInFlight];
    const all = () => Promise.allSettled(running().map((f) => f.done));
    const timedOut = await Promise.race([all().then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      for (const f of running()) f.controller.abort(new Error('worker shutting down'));
      // Handlers that honour the signal settle quickly and their jobs are released; those that do
      // not are left to their lease (another worker or the next start runs them again).
      await Promise.race([all(), sleep(2000)]);
    }
    this.started = false;
    this.stopping = false;
    this.loop = null;
    this.groupLoops = [];
  }

  async runDue(): Promise<number> {
    const jobs = await this.claimBatch(this.allowed());
    let count = jobs.length;
    const runs = jobs.map((j) => this.launch(j).done);
    for (const [flow, g] of this.groups) {
      const group = await this.claimGroup(flow, g);
      count += group.length;
      if (group.length) runs.push(this.launchGroup(flow, g, group));
    }
    await Promise.all(runs);
    return count;
  }

  /** Handlers that may run at once now: the capacity (F&O's limit + look-ahead) under the bound. */
  private allowed(): number {
    const bound = this.o.concurrency;
    if (!this.capacity) return bound;
    const c = this.capacity();
    return Number.isFinite(c) ? Math.max(1, Math.min(bound, Math.floor(c))) : bound;
  }

  /**
   * Jobs that may be claimed now: `allowed` counts only the jobs still at their F&O work, and
   * JOB_CONCURRENCY bounds every running job, including those that released their capacity.
   */
  private free(allowed: number): number {
    return Math.min(allowed - this.holdingCapacity, this.o.concurrency - this.inFlight.size);
  }

  private nudge(): void {
    this.wake?.();
  }

  private claimBatch(limit: number): Promise<Job[]> {
    if (limit <= 0 || this.handlers.size === this.groups.size) return Promise.resolve([]);
    return this.store.claim({
      now: this.clock(),
      limit,
      leaseMs: this.o.leaseMs,
      flows: [...this.handlers.keys()].filter((f) => !this.groups.has(f)),
    });
  }

  private async runLoop(): Promise<void> {
    let errorDelay = this.o.pollMs;
    while (!this.stopping) {
      const allowed = this.allowed();
      const free = this.free(allowed);
      let claimed = 0;
      if (free > 0) {
        try {
          const jobs = await this.claimBatch(free);
          for (const j of jobs) this.launch(j);
          claimed = jobs.length;
          errorDelay = this.o.pollMs;
        } catch (err) {
          this.log.error({ err }, 'claiming jobs failed; retrying');
          await this.idle(errorDelay);
          errorDelay = Math.min(errorDelay * 2, 5000);
          continue;
        }
      }
      if (this.stopping) break;
      // Full or found plenty: wait for a slot (a finished job nudges; the poll interval re-reads a
      // capacity that grew meanwhile); found nothing: wait for the poll interval or a nudge.
      if (this.free(allowed) <= 0) await this.idle(this.capacity ? this.o.pollMs : this.o.pollMs * 40);
      else if (claimed < free) await this.idle(this.o.pollMs);
    }
  }

  /** Sleep until `ms` passed, a job finished, something was enqueued here, or stop() was called. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private claimGroup(flow: string, g: GroupEntry): Promise<Job[]> {
    return this.store.claim({ now: this.clock(), limit: g.maxJobs, leaseMs: this.o.leaseMs, flows: [flow] });
  }

  /**
   * Claims a group of `flow` every `everyMs` (at once again after a full claim: more are waiting),
   * while fewer than `maxGroups` of its groups run. The wait is what lets a group fill up, so a
   * group that ends early does not bring the next claim forward; it only frees the slot.
   */
  private async groupLoop(flow: string, g: GroupEntry): Promise<void> {
    let errorDelay = this.o.pollMs;
    let nextClaim = 0;
    while (!this.stopping) {
      const wait = nextClaim - performance.now();
      if (wait > 0) {
        await this.groupIdle(g, wait);
        continue;
      }
      if (g.running >= g.maxGroups) {
        await this.groupIdle(g, g.everyMs); // until a group ends
        continue;
      }
      try {
        const jobs = await this.claimGroup(flow, g);
        if (jobs.length) void this.launchGroup(flow, g, jobs);
        nextClaim = jobs.length >= g.maxJobs ? 0 : performance.now() + g.everyMs;
        errorDelay = this.o.pollMs;
      } catch (err) {
        this.log.error({ err, flow }, 'claiming a group of jobs failed; retrying');
        nextClaim = performance.now() + errorDelay;
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }

  private groupIdle(g: GroupEntry, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(wake, ms);
      function wake() {
        clearTimeout(t);
        g.wake = undefined;
        resolve();
      }
      g.wake = wake;
    });
  }

  private launchGroup(flow: string, g: GroupEntry, jobs: Job[]): Promise<void> {
    const controller = new AbortController();
    // A group's handler hands its signal to many calls at once (one per job or query): no leak.
    setMaxListeners(0, controller.signal);
    g.running++;
    const f = { controller, done: Promise.resolve() };
    f.done = this.executeGroup(flow, g, jobs, controller)
      .catch((err: unknown) =>
        this.log.error(
          { err, flow },
          'could not record the outcomes of a group; its jobs run again after their lease',
        ),
      )
      .finally(() => {
        // A loop waiting for a free slot claims now (one between claims goes back to waiting).
        g.running--;
        g.wake?.();
        this.groupsInFlight.delete(f);
      });
    this.groupsInFlight.add(f);
    return f.done;
  }

  private async executeGroup(flow: string, g: GroupEntry, jobs: Job[], controller: AbortController) {
    const log = this.log.child?.({ flow, group: jobs.length }) ?? this.log;
    const runnable: Job[] = [];
    for (const job of jobs) {
      const pre = decideBeforeRun(job, this.clock(), this.o);
      if (pre.run) runnable.push(job);
      else await this.deadBeforeRun(job, pre.info, log);
    }
    if (!runnable.length) return;
    // One heartbeat for the group; a job whose lease is lost elsewhere is fenced at completion.
    const heartbeat = setInterval(
      () => {
        const now = this.clock();
        for (const job of runnable)
          this.store
            .heartbeat(job.id, job.attempts, now + this.o.leaseMs, now)
            .catch((err: unknown) => log.warn({ err, jobId: job.id }, 'lease heartbeat failed'));
      },
      Math.max(50, Math.floor(this.o.leaseMs / 3)),
    );
    heartbeat.unref();
    const started = performance.now();
    let outcomes: ReadonlyMap<string, GroupOutcome>;
    try {
      outcomes = await g.handler(runnable, { signal: controller.signal, log });
    } catch (err) {
      outcomes = new Map(runnable.map((j) => [j.id, { ok: false, error: err }]));
    } finally {
      clearInterval(heartbeat);
    }
    const seconds = (performance.now() - started) / 1000;
    for (const [i, job] of runnable.entries()) {
      // A synchronous store (SQLite) records each outcome without giving the event loop back:
      // let waiting requests in between, or a group of 200 holds them up for its whole record.
      if (i > 0 && i % SETTLE_SLICE === 0) await new Promise((r) => setImmediate(r));
      const jobLog = log.child?.({ jobId: job.id, key: job.key, attempt: job.attempts }) ?? log;
      const result = outcomes.get(job.id) ?? { ok: false, error: new TransientJobError(NO_RESULT) };
      // The store failing for one job leaves that job to its lease; the others are still recorded.
      await this.settle(job, result, controller, jobLog, seconds).catch((err: unknown) =>
        jobLog.error({ err }, 'could not record the job outcome; it will run again after its lease'),
      );
    }
  }

  /** Record how a job ended (complete or fail, fenced by its attempt) and count it. */
  private async settle(
    job: Job,
    result: GroupOutcome,
    controller: AbortController,
    log: JobLogger,
    seconds: number,
  ): Promise<void> {
    let outcome: 'done' | 'retry' | 'dead' | 'lost' | 'released';
    if (result.ok) {
      outcome = (await this.store.complete(job.id, job.attempts, this.clock())) ? 'done' : 'lost';
      if (outcome === 'lost') log.warn({}, 'job finished but its lease was lost; another attempt may run');
    } else {
      outcome = await this.recordFailure(job, result.error, controller, log);
    }
    const metricOutcome = outcome === 'released' ? 'lost' : outcome;
    this.metrics?.attempts.inc({ flow: job.flow, outcome: metricOutcome });
    this.metrics?.duration.observe({ flow: job.flow, outcome: metricOutcome }, seconds);
  }

  private async deadBeforeRun(job: Job, info: JobErrorInfo, log: JobLogger): Promise<void> {
    await this.store.fail({ id: job.id, attempt: job.attempts, now: this.clock(), error: info });
    this.metrics?.attempts.inc({ flow: job.flow, outcome: 'dead' });
    log.error({ code: info.code, reason: info.message, jobId: job.id }, 'job dead-lettered before running');
  }

  private launch(job: Job): InFlight {
    const controller = new AbortController();
    const f: InFlight = { job, controller, done: Promise.resolve(), holdsCapacity: true };
    this.holdingCapacity += 1;
    const release = (): void => {
      if (!f.holdsCapacity) return;
      f.holdsCapacity = false;
      this.holdingCapacity -= 1;
      this.nudge();
    };
    f.done = this.execute(job, controller, release).finally(() => {
      release();
      this.inFlight.delete(job.id);
      this.nudge();
    });
    this.inFlight.set(job.id, f);
    return f;
  }

  private async execute(job: Job, controller: AbortController, release: () => void): Promise<void> {
    const log =
      this.log.child?.({ jobId: job.id, flow: job.flow, key: job.key, attempt: job.attempts }) ?? this.log;
    try {
      const entry = this.handlers.get(job.flow);
      const pre = decideBeforeRun(job, this.clock(), this.o);
      if (!pre.run || !entry) {
        const info = pre.run
          ? {
              code: 'NO_HANDLER',
              message: `no handler registered for flow ${job.flow}`,
              transient: false,
              attempt: job.attempts,
              at: this.clock(),
            }
          : pre.info;
        await this.deadBeforeRun(job, info, log);
        return;
      }
      const heartbeat = setInterval(
        () => {
          const now = this.clock();
          this.store
            .heartbeat(job.id, job.attempts, now + this.o.leaseMs, now)
            .then((ours) => {
              if (!ours)
                controller.abort(new Error('lease lost: the job was re-claimed or finished elsewhere'));
            })
            .catch((err: unknown) => log.warn({ err }, 'lease heartbeat failed'));
        },
        Math.max(50, Math.floor(this.o.leaseMs / 3)),
      );
      heartbeat.unref();
      const started = performance.now();
      let result: GroupOutcome;
      try {
        await entry.handler(job, {
          signal: controller.signal,
          log,
          attempt: job.attempts,
          releaseCapacity: release,
        });
        result = { ok: true };
      } catch (err) {
        result = { ok: false, error: err };
      } finally {
        clearInterval(heartbeat);
        release(); // recording the outcome is bookkeeping, not F&O work
      }
      await this.settle(job, result, controller, log, (performance.now() - started) / 1000);
    } catch (err) {
      // Recording the outcome failed (store down): the lease will expire and the job runs again.
      log.error({ err }, 'could not record the job outcome; it will run again after its lease');
    }
  }

  private async recordFailure(
    job: Job,
    err: unknown,
    controller: AbortController,
    log: JobLogger,
  ): Promise<'retry' | 'dead' | 'lost' | 'released'> {
    if (controller.signal.aborted && this.stopping) {
      await this.store.release(job.id, job.attempts, this.clock());
      log.info({}, 'job released on shutdown');
      return 'released';
    }
    const now = this.clock();
    const d = decideAfterFailure(job, err, now, this.o, this.random());
    const ok = await this.store.fail({
      id: job.id,
      attempt: job.attempts,
      now,
      error: d.info,
      ...(d.kind === 'retry' ? { retryAt: d.runAt } : {}),
    });
    if (!ok) {
      log.warn({ code: d.info.code }, 'job failed after its lease was lost; the new owner decides');
      return 'lost';
    }
    if (d.kind === 'retry') {
      log.warn(
        { code: d.info.code, err: d.info.message, retryInMs: d.runAt - now },
        'job failed (transient); will retry',
      );
      return 'retry';
    }
    log.error(
      { code: d.info.code, err: d.info.message, details: d.info.details, reason: d.reason },
      'job dead-lettered',
    );
    return 'dead';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** True for errors the HTTP layer should answer with 503 (store down / read-only). */
export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError;
}
