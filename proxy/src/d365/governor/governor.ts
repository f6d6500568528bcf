/**
 * One governor per F&O environment, shared by every flow: it decides when a call may be sent.
 *
 *  - Priority: `interactive` is always served first; the other lanes (`order` > `sync` > `bulk`)
 *    by priority with aging (a waiting call gains one level every `agingMs`, so bulk is never
 *    starved by a steady sync stream). While interactive traffic has been seen in the last
 *    `reserveIdleMs`, `interactiveReserve` slots are kept free for it, so a rep's inventory read
 *    does not wait behind long `$batch` calls.
 *  - Concurrency: an adaptive limit (adaptive-limit.ts), bounded by `maxConcurrency`.
 *  - Pause: a 429 pauses every lane until Retry-After has passed, plus jitter; a pause is never
 *    shortened and no call is sent before it ends. With `sharedPause` the pause is written to
 *    the store; other replicas' pauses are pushed as they are stored where the store can
 *    (PostgreSQL's LISTEN/NOTIFY) and read every `sharedPollMs` in any case (the fallback).
 *  - Budget: optional sliding-window request and execution-time budgets (budget.ts).
 */
import type { Registry } from 'prom-client';
import { D365Throttled, D365Unavailable } from '../errors.js';
import { AdaptiveLimit } from './adaptive-limit.js';
import { SlidingBudget } from './budget.js';
import { LANES, laneRank, type Lane } from './lanes.js';
import { createGovernorMetrics, type GovernorMetrics } from './metrics.js';
import type { SharedPauseState } from './shared-pause.js';

export interface GovernorOptions {
  /** Normalised F&O URL: metrics label and shared-pause scope. */
  environment: string;
  maxConcurrency?: number;
  initialConcurrency?: number;
  minConcurrency?: number;
  interactiveReserve?: number;
  reserveIdleMs?: number;
  agingMs?: number;
  requestBudget?: number;
  executionBudgetMs?: number;
  budgetWindowMs?: number;
  sharedPause?: SharedPauseState;
  sharedPollMs?: number;
  /** Upper bound of the random extra added to a pause (spreads replicas' restarts). */
  pauseJitterMs?: number;
  /** Pause for a 429 without any Retry-After header. */
  defaultRetryAfterMs?: number;
  probeIntervalMs?: number;
  latencyTolerance?: number;
  registry?: Registry;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  now?: () => number;
  random?: () => number;
}

export type SlotOutcome =
  /** `latencyClass`: 'read' / 'write' (separate baselines); omit it for calls without a latency signal ($batch). */
  | { kind: 'success'; latencyMs: number; latencyClass?: string | null }
  | { kind: 'throttled'; retryAfterMs: number | undefined; latencyMs?: number }
  /** Timeout, 503, connection refused: the server may be overloaded. */
  | { kind: 'overload'; latencyMs?: number }
  /** Nothing learned (401, cancelled before sending). */
  | { kind: 'neutral'; latencyMs?: number };

export interface Slot {
  readonly lane: Lane;
  readonly grantedAt: number;
  /** Calls in flight including this one when it was granted. */
  readonly inFlightAtGrant: number;
  release(outcome: SlotOutcome): void;
}

export interface AcquireOptions {
  /** Epoch ms: give up (typed error) rather than wait beyond it. */
  deadline?: number;
  signal?: AbortSignal;
}

export interface GovernorStatus {
  environment: string;
  limit: number;
  maxConcurrency: number;
  learnedCeiling: number | undefined;
  inFlight: number;
  queued: Record<Lane, number>;
  paused: boolean;
  pausedUntil: number;
  throttled: number;
  budget: { requests: number; executionMs: number } | undefined;
}

interface Waiter {
  lane: Lane;
  enqueuedAt: number;
  deadline: number | undefined;
  resolve(slot: Slot): void;
  reject(err: Error): void;
  cleanup(): void;
}

export class Governor {
  readonly environment: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly adaptive: AdaptiveLimit;
  private readonly budget: SlidingBudget;
  private readonly metrics: GovernorMetrics;
  private readonly queues: Record<Lane, Waiter[]> = { interactive: [], order: [], sync: [], bulk: [] };
  private readonly maxConcurrency: number;
  private readonly reserve: number;
  private readonly reserveIdleMs: number;
  private readonly agingMs: number;
  private readonly pauseJitterMs: number;
  private readonly defaultRetryAfterMs: number;
  private readonly sharedPollMs: number;
  private inFlight = 0;
  private localPausedUntil = 0;
  private sharedPausedUntil = 0;
  private lastSharedPoll = Number.NEGATIVE_INFINITY;
  private sharedPolling = false;
  private sharedJustRead = false;
  private lastInteractiveAt = Number.NEGATIVE_INFINITY;
  private throttledCount = 0;
  private jobTarget = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;
  private pumpScheduled = false;
  private closed = false;
  private readonly unsubscribePause: (() => void) | undefined;

  constructor(private readonly options: GovernorOptions) {
    this.environment = options.environment;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 52);
    this.adaptive = new AdaptiveLimit({
      initial: Math.min(this.maxConcurrency, options.initialConcurrency ?? 4),
      min: options.minConcurrency ?? 1,
      max: this.maxConcurrency,
      probeIntervalMs: options.probeIntervalMs,
      latencyTolerance: options.latencyTolerance,
      now: this.now,
    });
    this.budget = new SlidingBudget({
      requests: options.requestBudget,
      executionMs: options.executionBudgetMs,
      windowMs: options.budgetWindowMs ?? 300_000,
    });
    this.reserve = Math.max(0, options.interactiveReserve ?? 1);
    this.reserveIdleMs = options.reserveIdleMs ?? 60_000;
    this.agingMs = Math.max(1, options.agingMs ?? 10_000);
    this.pauseJitterMs = options.pauseJitterMs ?? 1000;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? 10_000;
    this.sharedPollMs = options.sharedPollMs ?? 1000;
    this.metrics = createGovernorMetrics(options.registry);
    this.metrics.limit.set({ environment: this.environment }, this.adaptive.limit);
    this.jobTarget = this.adaptive.limit + Math.max(2, Math.ceil(this.adaptive.limit / 2));
    this.unsubscribePause = options.sharedPause?.subscribePause?.(this.environment, (until) =>
      this.learnSharedPause(until),
    );
  }

  /** Wait for a slot in `lane`. Rejects with D365Throttled if a pause outlasts `deadline`. */
  acquire(lane: Lane, options: AcquireOptions = {}): Promise<Slot> {
    if (this.closed)
      return Promise.reject(new D365Unavailable('the F&O client is closing', { transient: true }));
    const now = this.now();
    if (lane === 'interactive') this.lastInteractiveAt = now;
    const pausedUntil = this.pausedUntil;
    if (options.deadline !== undefined && pausedUntil > options.deadline) {
      return Promise.reject(this.pauseError(pausedUntil - now));
    }
    return new Promise<Slot>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        this.remove(waiter);
        reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
      };
      const waiter: Waiter = {
        lane,
        enqueuedAt: now,
        deadline: options.deadline,
        resolve,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.deadline !== undefined) {
        timer = setTimeout(
          () => {
            this.remove(waiter);
            const until = this.pausedUntil;
            reject(
              until > this.now()
                ? this.pauseError(until - this.now())
                : new D365Unavailable(`no F&O slot free in the ${lane} lane before the deadline`, {
                    transient: true,
                  }),
            );
          },
          Math.max(0, options.deadline - now),
        );
      }
      this.queues[lane].push(waiter);
      this.updateQueueMetric(lane);
      this.pump();
    });
  }

  /** Run `fn` inside a slot; the outcome is `success` unless `fn` throws (`neutral`). */
  async run<T>(lane: Lane, fn: (slot: Slot) => Promise<T>, options?: AcquireOptions): Promise<T> {
    const slot = await this.acquire(lane, options);
    const started = this.now();
    try {
      const result = await fn(slot);
      slot.release({ kind: 'success', latencyMs: this.now() - started });
      return result;
    } catch (err) {
      slot.release({ kind: 'neutral', latencyMs: this.now() - started });
      throw err;
    }
  }

  /** Pause every lane until at least `untilMs` (never shortens). Also used for shared pauses. */
  pauseUntil(untilMs: number): void {
    if (untilMs <= this.localPausedUntil) return;
    this.localPausedUntil = untilMs;
    this.metrics.pausedUntil.set({ environment: this.environment }, Math.ceil(this.pausedUntil / 1000));
    const shared = this.options.sharedPause;
    if (shared) {
      shared
        .extendPause(this.environment, untilMs)
        .then((v) => {
          if (v > this.sharedPausedUntil) this.sharedPausedUntil = v;
        })
        .catch((err: unknown) => this.options.logger?.warn({ err }, 'could not share the F&O pause'));
    }
    this.pump();
  }

  /** The effective pause end (local and shared), epoch ms; 0 or past = not paused. */
  get pausedUntil(): number {
    return Math.max(this.localPausedUntil, this.sharedPausedUntil);
  }

  get limit(): number {
    return this.adaptive.limit;
  }

  /**
   * How many jobs that call F&O are worth running at once. Jobs spend part of their time between
   * calls (store, mapping, Salesforce), so more jobs than the limit are needed to keep its slots
   * busy, and how many more depends on the flow and the machine. A small feedback loop finds it:
   * read before every claim, the target grows by one while a slot is free and no call waits, and
   * shrinks by one while more than a look-ahead (half the limit, at least 2) wait. It stays
   * between the limit and 16 × limit + the look-ahead; during a pause it holds. It counts only
   * jobs still at their F&O work: a sync job waiting for its batched Salesforce write-back has
   * released its share (JobContext.releaseCapacity). JOB_CONCURRENCY bounds all of them.
   */
  jobCapacity(): number {
    const limit = this.adaptive.limit;
    const lookAhead = Math.max(2, Math.ceil(limit / 2));
    if (this.pausedUntil <= this.now()) {
      let waiting = 0;
      for (const lane of LANES) waiting += this.queues[lane].length;
      if (waiting === 0 && this.inFlight < limit) this.jobTarget += 1;
      else if (waiting > lookAhead) this.jobTarget -= 1;
    }
    this.jobTarget = Math.min(16 * limit + lookAhead, Math.max(limit, this.jobTarget));
    return this.jobTarget;
  }

  recordRetry(reason: 'throttled' | 'server' | 'network' | 'auth'): void {
    this.metrics.retries.inc({ environment: this.environment, reason });
  }

  status(): GovernorStatus {
    const now = this.now();
    return {
      environment: this.environment,
      limit: this.adaptive.limit,
      maxConcurrency: this.maxConcurrency,
      learnedCeiling: this.adaptive.learnedCeiling,
      inFlight: this.inFlight,
      queued: Object.fromEntries(LANES.map((l) => [l, this.queues[l].length])) as Record<Lane, number>,
      paused: this.pausedUntil > now,
      pausedUntil: this.pausedUntil,
      throttled: this.throttledCount,
      budget: this.budget.enabled ? this.budget.usage(now) : undefined,
    };
  }

  close(): void {
    this.closed = true;
    this.unsubscribePause?.();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const lane of LANES) {
      for (const w of this.queues[lane].splice(0)) {
        w.cleanup();
        w.reject(new D365Unavailable('the F&O client is closing', { transient: true }));
      }
      this.updateQueueMetric(lane);
    }
  }

  private pauseError(retryAfterMs: number): D365Throttled {
    return new D365Throttled(`F&O is throttling; paused for another ${Math.ceil(retryAfterMs / 1000)} s`, {
      status: 429,
      retryAfterMs,
    });
  }

  private remove(waiter: Waiter): void {
    const q = this.queues[waiter.lane];
    const i = q.indexOf(waiter);
    if (i >= 0) q.splice(i, 1);
    waiter.cleanup();
    this.updateQueueMetric(waiter.lane);
  }

  private waiting(): boolean {
    return LANES.some((l) => this.queues[l].length > 0);
  }

  private pump(): void {
    if (this.closed || !this.waiting()) return;
    const now = this.now();
    // With a shared pause, never dispatch on knowledge older than `sharedPollMs`.
    if (!this.sharedPauseFresh(now)) return;
    const pausedUntil = this.pausedUntil;
    if (pausedUntil > now) return this.wakeAtTime(pausedUntil);
    for (;;) {
      const budgetWait = this.budget.waitMs(this.now());
      if (budgetWait > 0) return this.wakeAtTime(this.now() + budgetWait);
      const waiter = this.pick(now);
      if (!waiter) return;
      this.grant(waiter);
    }
  }

  private pick(now: number): Waiter | undefined {
    const limit = this.adaptive.limit;
    if (this.inFlight >= limit) return undefined;
    const interactive = this.queues.interactive[0];
    if (interactive) return this.queues.interactive.shift();
    if (this.inFlight >= limit - this.reserveActive(now, limit)) return undefined;
    let best: Waiter | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const lane of LANES) {
      if (lane === 'interactive') continue;
      const head = this.queues[lane][0];
      if (!head) continue;
      const score = LANES.length - laneRank(head.lane) + (now - head.enqueuedAt) / this.agingMs;
      if (score > bestScore) {
        best = head;
        bestScore = score;
      }
    }
    if (best) this.queues[best.lane].shift();
    return best;
  }

  /** Slots kept free for interactive calls now (while a rep was seen in the last `reserveIdleMs`). */
  private reserveActive(now: number, limit: number): number {
    return now - this.lastInteractiveAt < this.reserveIdleMs && limit > this.reserve ? this.reserve : 0;
  }

  private grant(waiter: Waiter): void {
    waiter.cleanup();
    this.updateQueueMetric(waiter.lane);
    const grantedAt = this.now();
    this.inFlight += 1;
    this.budget.recordStart(grantedAt);
    this.metrics.inFlight.set({ environment: this.environment }, this.inFlight);
    let released = false;
    // The limit was binding for this call: its outcome is evidence about the limit itself.
    const atLimit = this.inFlight >= this.adaptive.limit - this.reserveActive(grantedAt, this.adaptive.limit);
    const slot: Slot & { atLimit: boolean } = {
      atLimit,
      lane: waiter.lane,
      grantedAt,
      inFlightAtGrant: this.inFlight,
      release: (outcome) => {
        if (released) return;
        released = true;
        this.onRelease(slot, outcome);
      },
    };
    waiter.resolve(slot);
  }

  private onRelease(slot: Slot & { atLimit: boolean }, outcome: SlotOutcome): void {
    const now = this.now();
    this.inFlight -= 1;
    this.metrics.inFlight.set({ environment: this.environment }, this.inFlight);
    const latencyMs = outcome.latencyMs ?? now - slot.grantedAt;
    this.budget.recordExecution(now, latencyMs);
    this.metrics.duration.observe(
      { environment: this.environment, lane: slot.lane, outcome: outcome.kind },
      latencyMs / 1000,
    );
    switch (outcome.kind) {
      case 'success':
        this.adaptive.onSuccess(
          latencyMs,
          slot.grantedAt,
          outcome.latencyClass === null ? undefined : (outcome.latencyClass ?? 'default'),
          slot.atLimit,
        );
        break;
      case 'throttled': {
        this.throttledCount += 1;
        this.metrics.throttled.inc({ environment: this.environment });
        const before = this.adaptive.limit;
        this.adaptive.onThrottled(slot.grantedAt, slot.inFlightAtGrant);
        const wait = outcome.retryAfterMs ?? this.defaultRetryAfterMs;
        const jitter = this.random() * Math.min(this.pauseJitterMs, wait * 0.2);
        const until = now + wait + jitter;
        if (until > this.pausedUntil) {
          this.options.logger?.warn(
            {
              retryAfterMs: wait,
              limitBefore: before,
              limit: this.adaptive.limit,
              environment: this.environment,
            },
            'F&O answered 429; pausing every lane',
          );
        }
        this.pauseUntil(until);
        break;
      }
      case 'overload':
        this.adaptive.onOverload(slot.grantedAt);
        break;
      case 'neutral':
        break;
    }
    this.metrics.limit.set({ environment: this.environment }, this.adaptive.limit);
    this.pumpSoon();
  }

  /**
   * A freed slot is handed on after the answers that arrived together with this one have been
   * read (setImmediate runs after the current round of I/O callbacks). When the proxy was busy,
   * several F&O answers wait together; handing the slot on at once would send a call before a
   * 429 among them is seen — and every call F&O receives during its penalty lengthens the
   * Retry-After for all of them (doubling, to minutes).
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** A pause another replica stored, pushed by the store: held from now on (never shortens one). */
  private learnSharedPause(untilMs: number): void {
    if (untilMs <= this.sharedPausedUntil) return;
    this.sharedPausedUntil = untilMs;
    this.metrics.pausedUntil.set({ environment: this.environment }, Math.ceil(this.pausedUntil / 1000));
    this.pump();
  }

  /** True when the shared pause was read recently enough; otherwise starts a read and returns false. */
  private sharedPauseFresh(now: number): boolean {
    const shared = this.options.sharedPause;
    if (!shared) return true;
    if (this.sharedPolling) return false;
    if (this.sharedJustRead || now - this.lastSharedPoll < this.sharedPollMs) {
      this.sharedJustRead = false;
      return true;
    }
    this.sharedPolling = true;
    shared
      .getPausedUntil(this.environment)
      .then((v) => {
        this.sharedPausedUntil = Math.max(
          v,
          this.sharedPausedUntil > this.now() ? this.sharedPausedUntil : 0,
        );
        this.metrics.pausedUntil.set({ environment: this.environment }, Math.ceil(this.pausedUntil / 1000));
      })
      .catch((err: unknown) => this.options.logger?.warn({ err }, 'could not read the shared F&O pause'))
      .finally(() => {
        this.lastSharedPoll = this.now();
        this.sharedPolling = false;
        this.sharedJustRead = true;
        this.pump();
      });
    return false;
  }

  private wakeAtTime(at: number): void {
    if (this.wakeTimer && this.wakeAt <= at && this.wakeAt > this.now()) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    // +1 ms: timers may fire a hair early relative to Date.now(); we re-check anyway.
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.pump();
      },
      Math.max(0, at - this.now()) + 1,
    );
  }

  private updateQueueMetric(lane: Lane): void {
    this.metrics.queued.set({ environment: this.environment, lane }, this.queues[lane].length);
  }
}
