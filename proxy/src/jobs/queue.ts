/**
 * The worker side of the durable queue: validates and enqueues, claims due jobs with a lease,
 * runs the flow's handler, and records the outcome (done, retry with backoff, dead letter).
 *
 * Delivery is at-least-once: a worker that dies mid-job loses its lease and the job runs again
 * (handlers must be safe to repeat — look up before create). Per key, jobs run one at a time, in
 * version order (the store guarantees it across replicas).
 */
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { DEFAULT_BACKOFF, decideAfterFailure, decideBeforeRun, type BackoffPolicy } from './decisions.js';
import { JobValidationError, StoreUnavailableError } from './errors.js';
import { createJobMetrics, type JobMetrics } from './metrics.js';
import type { EnqueueInput, EnqueueResult, Job, Store } from './types.js';
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
}

export type JobHandler<P = unknown> = (job: Job<P>, ctx: JobContext) => Promise<void>;

export interface HandlerOptions<P> {
  /** Enqueue validates payloads of this flow with it (and stores what it returns). */
  payload?: z.ZodType<P>;
}

export interface JobQueueOptions {
  store: Store;
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
  readonly store: Store;
  registerHandler<P>(flow: string, handler: JobHandler<P>, opts?: HandlerOptions<P>): void;
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
}

class Queue implements JobQueue {
  readonly store: Store;
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
    await this.loop;
    const graceMs = opts.graceMs ?? 10_000;
    const all = () => Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    const timedOut = await Promise.race([all().then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      for (const f of this.inFlight.values()) f.controller.abort(new Error('worker shutting down'));
      // Handlers that honour the signal settle quickly and their jobs are released; those that do
      // not are left to their lease (another worker or the next start runs them again).
      await Promise.race([all(), sleep(2000)]);
    }
    this.started = false;
    this.stopping = false;
    this.loop = null;
  }

  async runDue(): Promise<number> {
    const jobs = await this.claimBatch(this.allowed());
    await Promise.all(jobs.map((j) => this.launch(j).done));
    return jobs.length;
  }

  /** Handlers that may run at once now: the capacity (F&O's limit + look-ahead) under the bound. */
  private allowed(): number {
    const bound = this.o.concurrency;
    if (!this.capacity) return bound;
    const c = this.capacity();
    return Number.isFinite(c) ? Math.max(1, Math.min(bound, Math.floor(c))) : bound;
  }

  private nudge(): void {
    this.wake?.();
  }

  private claimBatch(limit: number): Promise<Job[]> {
    if (limit <= 0 || this.handlers.size === 0) return Promise.resolve([]);
    return this.store.claim({
      now: this.clock(),
      limit,
      leaseMs: this.o.leaseMs,
      flows: [...this.handlers.keys()],
    });
  }

  private async runLoop(): Promise<void> {
    let errorDelay = this.o.pollMs;
    while (!this.stopping) {
      const allowed = this.allowed();
      const free = allowed - this.inFlight.size;
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
      if (this.inFlight.size >= allowed) await this.idle(this.capacity ? this.o.pollMs : this.o.pollMs * 40);
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

  private launch(job: Job): InFlight {
    const controller = new AbortController();
    const f: InFlight = { job, controller, done: Promise.resolve() };
    f.done = this.execute(job, controller).finally(() => {
      this.inFlight.delete(job.id);
      this.nudge();
    });
    this.inFlight.set(job.id, f);
    return f;
  }

  private async execute(job: Job, controller: AbortController): Promise<void> {
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
        await this.store.fail({ id: job.id, attempt: job.attempts, now: this.clock(), error: info });
        this.metrics?.attempts.inc({ flow: job.flow, outcome: 'dead' });
        log.error({ code: info.code, reason: info.message }, 'job dead-lettered before running');
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
      let outcome: 'done' | 'retry' | 'dead' | 'lost' | 'released';
      try {
        await entry.handler(job, { signal: controller.signal, log, attempt: job.attempts });
        outcome = (await this.store.complete(job.id, job.attempts, this.clock())) ? 'done' : 'lost';
        if (outcome === 'lost') log.warn({}, 'job finished but its lease was lost; another attempt may run');
      } catch (err) {
        outcome = await this.recordFailure(job, err, controller, log);
      } finally {
        clearInterval(heartbeat);
      }
      const seconds = (performance.now() - started) / 1000;
      const metricOutcome = outcome === 'released' ? 'lost' : outcome;
      this.metrics?.attempts.inc({ flow: job.flow, outcome: metricOutcome });
      this.metrics?.duration.observe({ flow: job.flow, outcome: metricOutcome }, seconds);
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
