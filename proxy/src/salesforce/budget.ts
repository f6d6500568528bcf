import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge, type Registry } from 'prom-client';
import { SalesforceLimitError } from './errors.js';
import type { LoggerLike } from './types.js';

export interface ApiBudgetOptions {
  /** Background work pauses while remaining daily API requests are below this % of Max. */
  floorPct: number;
  /** How often a paused waiter re-reads `/limits` (ms). */
  recheckMs: number;
  /** Pause after a daily REQUEST_LIMIT_EXCEEDED (ms). */
  dailyLimitBackoffMs: number;
  /** Pause after a concurrent long-running REQUEST_LIMIT_EXCEEDED (ms). */
  concurrentLimitBackoffMs: number;
  logger: LoggerLike;
  registry?: Registry;
}

export interface BudgetSnapshot {
  used: number;
  max: number;
  remaining: number;
  remainingPct: number;
  observedAt: number;
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return (
    (registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, registers: [registry] })
  );
}

/**
 * The org's daily API budget as seen in `Sforce-Limit-Info: api-usage=N/M` (every response),
 * plus the back-off after REQUEST_LIMIT_EXCEEDED. Interactive calls always go; background
 * work awaits `waitForBackground()` so it never eats the last `floorPct` of the budget.
 */
export class ApiBudget {
  private last: BudgetSnapshot | undefined;
  private blockedUntil = 0;
  private blockReason: SalesforceLimitError | undefined;
  private refresher: (() => Promise<unknown>) | undefined;
  private readonly usedGauge: Gauge | undefined;
  private readonly maxGauge: Gauge | undefined;
  private pausedLogged = false;

  constructor(private readonly options: ApiBudgetOptions) {
    if (options.registry) {
      this.usedGauge = gauge(
        options.registry,
        'fobridge_salesforce_api_used',
        'Salesforce daily API requests used (Sforce-Limit-Info)',
      );
      this.maxGauge = gauge(
        options.registry,
        'fobridge_salesforce_api_max',
        'Salesforce daily API request limit (Sforce-Limit-Info)',
      );
    }
  }

  /** Set by the client: how to re-read usage (GET /limits) while paused. */
  setRefresher(fn: () => Promise<unknown>): void {
    this.refresher = fn;
  }

  /** Parses `api-usage=10018/100000` (other parts such as `api-bursts` are ignored). */
  observe(header: string | null): void {
    const m = header ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
    if (m) this.update(Number(m[1]), Number(m[2]));
  }

  update(used: number, max: number): void {
    const remaining = Math.max(0, max - used);
    this.last = {
      used,
      max,
      remaining,
      remainingPct: max > 0 ? (remaining / max) * 100 : 0,
      observedAt: Date.now(),
    };
    this.usedGauge?.set(used);
    this.maxGauge?.set(max);
  }

  snapshot(): BudgetSnapshot | undefined {
    return this.last ? { ...this.last } : undefined;
  }

  belowFloor(): boolean {
    return this.last !== undefined && this.last.remainingPct < this.options.floorPct;
  }

  /** Records a REQUEST_LIMIT_EXCEEDED and returns the typed error with its retry hint. */
  limitExceeded(status: number, errors: SalesforceLimitError['errors']): SalesforceLimitError {
    const concurrent = /concurrent/i.test(errors[0]?.message ?? '');
    const retryAfterMs = concurrent
      ? this.options.concurrentLimitBackoffMs
      : this.options.dailyLimitBackoffMs;
    const err = new SalesforceLimitError({
      status,
      errors,
      retryAfterMs,
      limit: concurrent ? 'concurrent' : 'daily',
    });
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + retryAfterMs);
    this.blockReason = err;
    if (!concurrent && this.last) this.update(this.last.max, this.last.max);
    this.options.logger.warn(
      { limit: err.limit, retryAfterMs },
      'salesforce API limit exceeded; pausing calls',
    );
    return err;
  }

  /** Throws (without calling Salesforce) while a limit back-off is running. */
  assertNotBlocked(): void {
    const wait = this.blockedUntil - Date.now();
    if (wait > 0 && this.blockReason) {
      throw new SalesforceLimitError({
        status: this.blockReason.status,
        errors: this.blockReason.errors,
        retryAfterMs: wait,
        limit: this.blockReason.limit,
      });
    }
  }

  /** Resolves once background work may call Salesforce: no back-off and remaining ≥ floor. */
  async waitForBackground(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    for (;;) {
      signal?.throwIfAborted();
      const blockedFor = this.blockedUntil - Date.now();
      if (blockedFor > 0) {
        await sleep(Math.min(blockedFor, this.options.recheckMs), undefined, { signal });
        continue;
      }
      if (!this.belowFloor()) {
        if (this.pausedLogged)
          this.options.logger.info(
            { budget: this.last },
            'salesforce API budget above floor; background work resumes',
          );
        this.pausedLogged = false;
        return;
      }
      if (!this.pausedLogged) {
        this.options.logger.warn(
          { budget: this.last, floorPct: this.options.floorPct },
          'salesforce API budget below floor; background work paused',
        );
        this.pausedLogged = true;
      }
      await sleep(this.options.recheckMs, undefined, { signal });
      await this.refresher?.().catch(() => undefined);
    }
  }
}
