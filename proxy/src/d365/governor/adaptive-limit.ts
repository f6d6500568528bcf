/**
 * The adaptive concurrency limit: find F&O's capacity and stay at it.
 *
 *  - Only a limit that is reached grows (a round in which some call was sent with every slot
 *    taken): a limit above the demand proves nothing, and raising it would let a burst overshoot
 *    F&O's capacity by several calls at once — each of them a 429, and F&O lengthens the
 *    Retry-After of a client that keeps sending while throttled.
 *  - Latency first (a gradient estimate, as in Netflix's concurrency-limits): per window of calls
 *    (a window = `limit` completions, roughly one round trip) compare the window's mean latency
 *    with the baseline (the lowest recent window latency, F&O unloaded). Within `holdTolerance` ×
 *    baseline: grow by one. Above it F&O has started to queue: hold. Above `latencyTolerance` ×
 *    baseline: cut in proportion to the queueing (limit × holdTolerance × baseline / latency,
 *    at most by `decreaseFactor`). So where F&O's queueing shows in its latency, the limit settles
 *    at the capacity without a 429. For that the signal must stay honest: a new level is judged
 *    only by calls sent at it, growth also needs the level's smoothed ratio below the hold band,
 *    one class's queueing (reads wait behind writes) holds back another's healthy window, and in
 *    the hold band the baseline drifts by time, not by window (see onSuccess).
 *  - Last good level: a 429 when probing above the last level that completed a healthy window
 *    means that level is the capacity: the limit resumes at it (not at 1, not at half) and it
 *    becomes the ceiling. Above the ceiling the limit probes one step every `probeIntervalMs`,
 *    doubling the interval after each refused probe (each 429 costs a full Retry-After pause).
 *  - A refusal of a level F&O had accepted (a 429 storm, or F&O's capacity fell): cut by
 *    `decreaseFactor`, keep the ceiling and climb back to it fast (×1.5 per healthy window) once F&O
 *    answers again, so recovery takes seconds. Refused again on the way back after healthy
 *    windows: the capacity really fell, and the ceiling follows it down.
 *  - Calls that were already in flight before a cut neither cut again (one cut per wave) nor
 *    count towards the windows after it.
 */
export interface AdaptiveLimitOptions {
  initial?: number;
  min?: number;
  max: number;
  decreaseFactor?: number;
  /** Window latency above baseline × this cuts (default 2). */
  latencyTolerance?: number;
  /** Window latency above baseline × this stops growth (default 1.3). */
  holdTolerance?: number;
  /**
   * First interval between probes above the learned ceiling (default 5 min): a refused probe
   * costs a full Retry-After pause (and F&O lengthens it for a client that keeps sending), so
   * above a level F&O refused the limit tries rarely. Recovery below the ceiling is not affected.
   */
  probeIntervalMs?: number;
  maxProbeIntervalMs?: number;
  now?: () => number;
}

export type LimitChange = 'increase' | 'decrease' | 'none';

/** In the hold band the baseline moves towards the window latency with this time constant. */
const HOLD_BAND_DRIFT_MS = 600_000;
/** How long one kind of call's queueing verdict holds back growth on another's healthy window. */
const QUEUEING_VERDICT_MS = 10_000;

interface LatencyWindow {
  count: number;
  sum: number;
  baseline: number | undefined;
  /** When the window before this one closed. */
  at?: number;
  /** Some call of the window was sent with the limit reached. */
  limited: boolean;
  /** The last window of this class at the current level showed queueing (hold band). */
  queueing?: boolean;
  /** Smoothed latency ratio (window / baseline) of this class's windows at the current level. */
  smoothed?: number;
}

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
  /** The limit of the last window that completed healthy (no queueing, no 429). */
  private lastGood: number | undefined;
  /** A 429 came and no healthy window since. */
  private refusedSinceHealthy = false;
  /** A call sent after the last cut succeeded (F&O answers some calls: not a storm). */
  private succeededSinceCut = false;
  /** A level at or below the ceiling was refused: the next refusal after healthy windows lowers it. */
  private doubt = false;
  private readonly windows = new Map<string, LatencyWindow>();
  private lastCutAt = Number.NEGATIVE_INFINITY;
  /** When the limit last grew into a level not yet proven (not the climb back to the ceiling). */
  private lastGrowAt = Number.NEGATIVE_INFINITY;

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

  /** The level F&O last accepted just below a refusal, if any (for status). */
  get learnedCeiling(): number | undefined {
    return this.ceiling;
  }

  /**
   * A call that completed normally (2xx/4xx other than 429/401), `startedAt` = when it was sent.
   * `latencyClass` separates kinds of calls whose latencies are not comparable (reads, writes):
   * each class keeps its own window and baseline. `undefined` = no latency signal (a `$batch`,
   * whose duration depends on its size). `atLimit`: the call was sent with every slot taken; a
   * window without such a call holds (a limit that was not reached says nothing about one more).
   */
  onSuccess(
    latencyMs: number,
    startedAt: number,
    latencyClass: string | undefined = 'default',
    atLimit = true,
  ): LimitChange {
    // No signal: a call sent before the last cut tells about the level that was just cut.
    if (startedAt >= this.lastCutAt) this.succeededSinceCut = true;
    if (latencyClass === undefined || startedAt < this.lastCutAt || startedAt < this.lastGrowAt)
      return 'none';
    let w = this.windows.get(latencyClass);
    if (!w) this.windows.set(latencyClass, (w = { count: 0, sum: 0, baseline: undefined, limited: false }));
    w.count += 1;
    w.sum += latencyMs;
    w.limited ||= atLimit;
    if (w.count < this.value) return 'none';
    const avg = w.sum / w.count;
    const limited = w.limited;
    w.count = 0;
    w.sum = 0;
    w.limited = false;
    // Baseline = the lowest recent window latency (F&O unloaded); it follows a lasting slowdown
    // only slowly, so a gradual build-up of queueing cannot drag it along. While the limit holds
    // because F&O queues (latency in the hold band), it moves by time, not by window: at 16
    // windows a second it would otherwise absorb that queueing within seconds, the limit would
    // grow again and meet F&O's refusal — the 429 the latency signal is there to avoid.
    const now = this.now();
    const baseline = w.baseline ?? avg;
    const ratio = avg / baseline;
    const inHoldBand = ratio > this.holdTolerance && ratio <= this.tolerance;
    const drift = inHoldBand ? Math.min(1, (now - (w.at ?? now)) / HOLD_BAND_DRIFT_MS) : 0.005;
    w.baseline = avg < baseline ? avg : baseline + (avg - baseline) * drift;
    w.at = now;
    if (ratio > this.tolerance) return this.cut(Math.max(this.factor, this.holdTolerance / ratio));
    // Queueing has started (latency clearly above the unloaded level): hold at this level. One
    // window's mean is noisy (±10 % with F&O's jitter), so growth also needs the smoothed ratio
    // of this level's windows below the hold band: after windows that showed queueing here, a
    // single lucky one does not walk the limit up into F&O's queue.
    w.smoothed = w.smoothed === undefined ? ratio : w.smoothed + (ratio - w.smoothed) * 0.3;
    if (ratio > this.holdTolerance || w.smoothed > this.holdTolerance) {
      w.queueing = true;
      return 'none';
    }
    w.queueing = false;
    this.healthy();
    // Another kind of call already shows queueing at this level (reads wait behind writes more,
    // relative to their own latency): it speaks for F&O too, so this level is not grown.
    for (const other of this.windows.values())
      if (other.queueing && now - (other.at ?? now) < QUEUEING_VERDICT_MS) return 'none';
    // Grow only a limit that was reached (below the ceiling, climbing back, it need not be).
    if (!limited && (this.ceiling === undefined || this.value >= this.ceiling)) return 'none';
    return this.grow();
  }

  /** F&O answered 429 to a call sent at `startedAt` while `inFlightAtSend` calls were in flight. */
  onThrottled(startedAt: number, inFlightAtSend: number): LimitChange {
    if (startedAt < this.lastCutAt) return 'none';
    const refused = Math.max(1, Math.min(this.value, inFlightAtSend));
    if (this.probing) this.probeMs = Math.min(this.maxProbeMs, this.probeMs * 2);
    this.probing = false;
    if (this.refusedSinceHealthy) {
      // Refused again at the level just settled on, after F&O had answered calls at it: that
      // level was luck (calls in transit made it look healthy once). One step lower is the
      // capacity; halving would cost throughput and, climbing back, more refusals and pauses.
      if (this.succeededSinceCut && refused >= this.value && this.ceiling !== undefined)
        return this.settle(Math.max(this.min, refused - 1));
      // Refused again before anything succeeded: F&O refuses all (a storm). Back off; the
      // ceiling stays, so the climb back after the storm is quick.
      return this.cut(this.factor);
    }
    this.refusedSinceHealthy = true;
    const good = this.lastGood;
    if (good !== undefined && good < refused) {
      // Refused above the last good level: that level is the capacity. Resume at it.
      return this.settle(good);
    }
    if (this.doubt || this.ceiling === undefined) {
      // Refused again on the way back (or with nothing learned yet): the capacity is lower.
      this.doubt = false;
      return this.settle(Math.max(this.min, refused - 1));
    }
    this.doubt = true;
    return this.cut(this.factor);
  }

  /** A timeout or 503: the server is struggling. Cut, but learn no ceiling. */
  onOverload(startedAt: number): LimitChange {
    if (startedAt < this.lastCutAt) return 'none';
    return this.cut(this.factor);
  }

  private healthy(): void {
    this.lastGood = this.value;
    this.refusedSinceHealthy = false;
    if (this.ceiling !== undefined && this.value >= this.ceiling) this.doubt = false;
  }

  /** The limit and the ceiling become `level` (a 429 just showed what lies above it). */
  private settle(level: number): LimitChange {
    const before = this.value;
    this.ceiling = Math.max(this.min, Math.min(this.max, level));
    this.ceilingAt = this.now();
    this.value = this.ceiling;
    this.lastGood = Math.min(this.lastGood ?? this.value, this.value);
    this.markCut();
    return this.value < before ? 'decrease' : 'none';
  }

  private cut(factor: number): LimitChange {
    const next = Math.max(this.min, Math.floor(this.value * factor));
    this.markCut();
    if (next >= this.value) return 'none';
    this.value = next;
    return 'decrease';
  }

  private markCut(): void {
    this.lastCutAt = this.now();
    this.succeededSinceCut = false;
    this.resetWindows();
  }

  private resetWindows(): void {
    for (const w of this.windows.values()) {
      w.count = 0;
      w.sum = 0;
      w.limited = false;
      w.queueing = false;
      w.smoothed = undefined;
    }
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
    // Judge the new level only by calls sent at it: a window still holding calls sent at the
    // level below (less queueing) looks healthier than the new level is, and growing again on it
    // walks the limit into F&O's refusal before its queueing could show.
    this.lastGrowAt = this.now();
    this.resetWindows();
    return 'increase';
  }
}
