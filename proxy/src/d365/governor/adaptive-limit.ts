/**
 * The adaptive concurrency limit (AIMD with a remembered ceiling).
 *
 *  - Additive increase: +1 after each window of healthy calls (a window = `limit` completions,
 *    roughly one round trip) whose mean latency stays within `holdTolerance` × baseline (the
 *    lowest recent window latency); between that and `latencyTolerance` × baseline: hold.
 *  - Multiplicative decrease: × `decreaseFactor` on a 429, a timeout/503, or a latency jump.
 *    Calls that were already in flight before a cut do not cut again (one cut per wave).
 *  - Remembered ceiling: a 429 tells us the level F&O refused (the in-flight count when the
 *    refused call was sent). After the cut we climb back quickly to just below it and hold
 *    there; above it we probe only after `probeIntervalMs`, doubling the interval after each
 *    failed probe. F&O's Retry-After pause is the expensive part of a 429, so probing
 *    rarely is what keeps the 429 share low while running close to capacity.
 */
export interface AdaptiveLimitOptions {
  initial?: number;
  min?: number;
  max: number;
  decreaseFactor?: number;
  latencyTolerance?: number;
  /** Window latency above baseline × this stops growth (default 1.3). */
  holdTolerance?: number;
  probeIntervalMs?: number;
  maxProbeIntervalMs?: number;
  now?: () => number;
}

export type LimitChange = 'increase' | 'decrease' | 'none';

export class AdaptiveLimit {
  private value: number;
  private readonly min: number;
  private readonly max: number;
  private readonly factor: number;
  private readonly tolerance: number;
  private readonly holdTolerance: number;
  private readonly baseProbeMs: number;
  private readonly maxProbeMs: number;
  private readonly now: () => number;
  private probeMs: number;
  private ceiling: number | undefined;
  private ceilingAt = 0;
  private probing = false;
  private readonly windows = new Map<string, { count: number; sum: number; baseline: number | undefined }>();
  private lastCutAt = Number.NEGATIVE_INFINITY;

  constructor(options: AdaptiveLimitOptions) {
    this.max = Math.max(1, options.max);
    this.min = Math.min(this.max, Math.max(1, options.min ?? 1));
    this.value = Math.min(this.max, Math.max(this.min, options.initial ?? 4));
    this.factor = options.decreaseFactor ?? 0.5;
    this.tolerance = options.latencyTolerance ?? 2;
    this.holdTolerance = Math.min(this.tolerance, options.holdTolerance ?? 1.3);
    this.baseProbeMs = options.probeIntervalMs ?? 300_000;
    this.maxProbeMs = options.maxProbeIntervalMs ?? 3_600_000;
    this.probeMs = this.baseProbeMs;
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.value;
  }

  /** The level last refused by F&O, if any (for status). */
  get learnedCeiling(): number | undefined {
    return this.ceiling;
  }

  /**
   * A call that completed normally (2xx/4xx other than 429/401), `startedAt` = when it was sent.
   * `latencyClass` separates kinds of calls whose latencies are not comparable (reads, writes):
   * each class keeps its own window and baseline. `undefined` = no latency signal (a `$batch`,
   * whose duration depends on its size).
   */
  onSuccess(latencyMs: number, startedAt: number, latencyClass: string | undefined = 'default'): LimitChange {
    if (latencyClass === undefined) return 'none';
    let w = this.windows.get(latencyClass);
    if (!w) this.windows.set(latencyClass, (w = { count: 0, sum: 0, baseline: undefined }));
    w.count += 1;
    w.sum += latencyMs;
    if (w.count < this.value) return 'none';
    const avg = w.sum / w.count;
    w.count = 0;
    w.sum = 0;
    // Baseline = the lowest recent window latency (F&O unloaded); it follows a lasting slowdown
    // only slowly, so a gradual build-up of queueing cannot drag it along.
    const baseline = w.baseline ?? avg;
    w.baseline = avg < baseline ? avg : baseline + (avg - baseline) * 0.005;
    if (avg > baseline * this.tolerance && startedAt >= this.lastCutAt) return this.cut();
    // Queueing has started (latency clearly above the unloaded level): hold, do not grow.
    if (avg > baseline * this.holdTolerance) return 'none';
    return this.grow();
  }

  /** F&O answered 429 to a call sent at `startedAt` while `inFlightAtSend` calls were in flight. */
  onThrottled(startedAt: number, inFlightAtSend: number): LimitChange {
    if (startedAt < this.lastCutAt) return 'none';
    const refused = Math.min(this.value, inFlightAtSend);
    if (this.probing) this.probeMs = Math.min(this.maxProbeMs, this.probeMs * 2);
    this.probing = false;
    this.ceiling = Math.max(this.min, refused - 1);
    this.ceilingAt = this.now();
    return this.cut();
  }

  /** A timeout or 503: the server is struggling. Cut, but learn no ceiling. */
  onOverload(startedAt: number): LimitChange {
    if (startedAt < this.lastCutAt) return 'none';
    return this.cut();
  }

  private cut(): LimitChange {
    const next = Math.max(this.min, Math.floor(this.value * this.factor));
    this.lastCutAt = this.now();
    for (const w of this.windows.values()) {
      w.count = 0;
      w.sum = 0;
    }
    if (next === this.value) return 'none';
    this.value = next;
    return 'decrease';
  }

  private grow(): LimitChange {
    if (this.value >= this.max) return 'none';
    const ceiling = this.ceiling;
    if (ceiling !== undefined && this.value < ceiling) {
      // Climb back fast to the last level F&O accepted.
      this.value = Math.min(ceiling, this.value + Math.max(1, Math.ceil(this.value / 2)));
      return 'increase';
    }
    if (ceiling !== undefined) {
      const now = this.now();
      if (now - this.ceilingAt < this.probeMs) return 'none';
      // Probe one step above; if no 429 follows within the next interval, the probe succeeded.
      if (this.probing) this.probeMs = this.baseProbeMs;
      this.probing = true;
      this.ceiling = ceiling + 1;
      this.ceilingAt = now;
    }
    this.value += 1;
    return 'increase';
  }
}
