/**
 * Optional static budget (off by default): at most `requests` calls started and `executionMs`
 * of combined execution time within any sliding window of `windowMs` — the legacy per-user
 * service-protection numbers (6,000 requests / 1,200 s per 5 min) or a self-imposed ceiling.
 * A sliding log is exact where fixed windows let almost twice the limit through at an edge
 * (fixed-window limiters let almost twice the limit through at a window edge). Per process: with several replicas give each a share of the budget.
 */
export interface BudgetOptions {
  requests?: number;
  executionMs?: number;
  windowMs: number;
}

export class SlidingBudget {
  private readonly starts: number[] = [];
  private readonly executions: Array<{ at: number; ms: number }> = [];
  private executionSum = 0;

  constructor(private readonly options: BudgetOptions) {}

  get enabled(): boolean {
    return this.options.requests !== undefined || this.options.executionMs !== undefined;
  }

  /** 0 when a call may start now, else ms until one may. */
  waitMs(now: number): number {
    this.expire(now);
    let wait = 0;
    const { requests, executionMs, windowMs } = this.options;
    if (requests !== undefined && this.starts.length >= requests) {
      const oldest = this.starts[this.starts.length - requests]!;
      wait = Math.max(wait, oldest + windowMs - now);
    }
    if (executionMs !== undefined && this.executionSum >= executionMs) {
      // Wait until enough recorded execution ages out to fall below the budget.
      let sum = this.executionSum;
      for (const e of this.executions) {
        sum -= e.ms;
        if (sum < executionMs) {
          wait = Math.max(wait, e.at + windowMs - now);
          break;
        }
      }
    }
    return Math.max(0, wait);
  }

  recordStart(now: number): void {
    if (this.options.requests !== undefined) this.starts.push(now);
  }

  recordExecution(now: number, ms: number): void {
    if (this.options.executionMs === undefined) return;
    this.executions.push({ at: now, ms });
    this.executionSum += ms;
  }

  usage(now: number): { requests: number; executionMs: number } {
    this.expire(now);
    return { requests: this.starts.length, executionMs: Math.round(this.executionSum) };
  }

  private expire(now: number): void {
    const cutoff = now - this.options.windowMs;
    while (this.starts.length > 0 && this.starts[0]! <= cutoff) this.starts.shift();
    while (this.executions.length > 0 && this.executions[0]!.at <= cutoff) {
      this.executionSum -= this.executions.shift()!.ms;
    }
  }
}
