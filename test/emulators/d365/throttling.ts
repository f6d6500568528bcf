/**
 * Service protection (reference §4) and the capacity model.
 *
 * The emulated AOS executes at most `concurrency` /data requests at once (a simulated web server).
 * - off:      extra requests wait in a FIFO queue (no 429).
 * - resource: a request arriving while ≥ floor(concurrency × utilisationThreshold) requests execute is
 *             refused with 429 + Retry-After (the resource-utilisation message) — unless fewer than
 *             `queueDepth` (default 0) already wait for a slot: then it waits too, and its latency
 *             grows by the wait (queueing shows before the refusal). The refused client is
 *             penalised until Retry-After passes; each request it sends during the penalty doubles the
 *             interval (up to maxRetryAfterS) — "the interval grows if the client keeps sending".
 * - user:     legacy per-client limits over a sliding window: request count, combined execution time,
 *             concurrent requests (documented messages); otherwise queued like off.
 * A $batch is one request for counting but holds its slot for its whole execution time.
 * All durations (window, Retry-After, execution-time budget) are multiplied by timeScale.
 */
import type { Counters } from './counters.js';
import type { LatencyConfig, ThrottlingConfig } from './options.js';

export type RequestClass = 'read' | 'write' | 'batch';

export type Admission =
  { ok: true; release: () => void } | { ok: false; retryAfterMs: number; message: string };

export const RESOURCE_MESSAGE =
  'This request could not be processed at this time due to system experiencing high resource utilization.';

interface ClientState {
  penaltyUntil: number;
  strikes: number;
  starts: number[];
  execs: Array<{ end: number; ms: number }>;
  inFlight: number;
}

export class Throttler {
  private executing = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly clients = new Map<string, ClientState>();

  constructor(
    public config: ThrottlingConfig,
    private readonly timeScale: number,
    private readonly counters: Counters,
  ) {}

  configure(config: ThrottlingConfig): void {
    this.config = config;
    this.clients.clear();
    // A larger concurrency frees queued requests at once.
    while (this.waiters.length && this.executing < this.executionCap()) this.grant();
  }

  get inFlight(): number {
    return this.executing;
  }

  private client(id: string): ClientState {
    let st = this.clients.get(id);
    if (!st) {
      st = { penaltyUntil: 0, strikes: 0, starts: [], execs: [], inFlight: 0 };
      this.clients.set(id, st);
    }
    return st;
  }

  async admit(clientId: string): Promise<Admission> {
    const cfg = this.config;
    const now = Date.now();
    const st = this.client(clientId);
    if (cfg.mode === 'resource') {
      if (st.penaltyUntil > now) {
        st.strikes++;
        return this.penalise(st, now);
      }
      if (this.executing >= this.executionCap() && this.waiters.length >= (cfg.queueDepth ?? 0))
        return this.penalise(st, now);
      st.strikes = 0;
      await this.acquire();
      return { ok: true, release: () => this.finish() };
    }
    if (cfg.mode === 'user') {
      const refusal = this.checkUserLimits(st, now);
      if (refusal) return refusal;
      st.starts.push(now);
      st.inFlight++;
      await this.acquire();
      const began = Date.now();
      return {
        ok: true,
        release: () => {
          st.inFlight--;
          const end = Date.now();
          st.execs.push({ end, ms: end - began });
          this.finish();
        },
      };
    }
    await this.acquire();
    return { ok: true, release: () => this.finish() };
  }

  private penalise(st: ClientState, now: number): Admission {
    const cfg = this.config;
    const seconds = Math.min(cfg.maxRetryAfterS, cfg.retryAfterS * 2 ** st.strikes);
    const ms = seconds * 1000 * this.timeScale;
    st.penaltyUntil = now + ms;
    return { ok: false, retryAfterMs: ms, message: RESOURCE_MESSAGE };
  }

  private checkUserLimits(st: ClientState, now: number): Admission | undefined {
    const cfg = this.config;
    const windowMs = cfg.userWindowS * 1000 * this.timeScale;
    while (st.starts.length && st.starts[0]! <= now - windowMs) st.starts.shift();
    while (st.execs.length && st.execs[0]!.end <= now - windowMs) st.execs.shift();
    if (st.starts.length >= cfg.userRequestLimit) {
      return {
        ok: false,
        retryAfterMs: st.starts[0]! + windowMs - now,
        message: `Number of requests exceeded the limit of ${cfg.userRequestLimit} over the time window of ${cfg.userWindowS} seconds.`,
      };
    }
    const execMs = st.execs.reduce((s, e) => s + e.ms, 0);
    if (execMs >= cfg.userExecutionLimitS * 1000 * this.timeScale) {
      return {
        ok: false,
        retryAfterMs: (st.execs[0]?.end ?? now) + windowMs - now,
        message: `Combined execution time of incoming requests exceeded the limit of ${cfg.userExecutionLimitS} seconds over the time window of ${cfg.userWindowS} seconds. Decrease the number of concurrent requests or reduce the duration of requests and try again later.`,
      };
    }
    if (st.inFlight >= cfg.userConcurrencyLimit) {
      return {
        ok: false,
        retryAfterMs: cfg.retryAfterS * 1000 * this.timeScale,
        message: `Number of concurrent requests exceeded the limit of ${cfg.userConcurrencyLimit}.`,
      };
    }
    return undefined;
  }

  private start(): void {
    this.executing++;
    this.counters.inFlight = this.executing;
    if (this.executing > this.counters.peakConcurrency) this.counters.peakConcurrency = this.executing;
  }

  /** Requests executing at once: the web server's slots, in resource mode those under the threshold. */
  private executionCap(): number {
    const cfg = this.config;
    return cfg.mode === 'resource'
      ? Math.max(1, Math.floor(cfg.concurrency * cfg.utilisationThreshold))
      : cfg.concurrency;
  }

  private acquire(): Promise<void> {
    if (this.executing < this.executionCap()) {
      this.start();
      return Promise.resolve();
    }
    this.counters.queued++;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private grant(): void {
    const next = this.waiters.shift();
    if (!next) return;
    this.counters.queued--;
    this.start();
    next();
  }

  private finish(): void {
    this.executing--;
    this.counters.inFlight = this.executing;
    if (this.waiters.length && this.executing < this.executionCap()) this.grant();
  }
}

/** Simulated execution time (real ms) of one request: base by class (+ per operation for $batch) × timeScale × jitter. */
export function latencyMs(l: LatencyConfig, timeScale: number, cls: RequestClass, operations = 1): number {
  const base =
    cls === 'read'
      ? l.readMs
      : cls === 'write'
        ? l.writeMs
        : l.batchBaseMs + operations * l.batchPerOperationMs;
  const factor = 1 + l.jitter * (2 * Math.random() - 1);
  return Math.max(0, base * timeScale * factor);
}

export type CapacityClass = 'read' | 'write' | 'batchOperation';

/**
 * Sustainable throughput (requests/s; operations/s for batchOperation) of one client that never gets a 429:
 *   L = mean latency of the class in seconds = <classMs> × timeScale / 1000 (min 1 ms × timeScale)
 *   off:      concurrency / L
 *   resource: max(1, floor(concurrency × utilisationThreshold)) / L
 *   user:     min(userRequestLimit / (userWindowS × timeScale)  [not for batchOperation],
 *                 (userExecutionLimitS / userWindowS) / L,
 *                 min(userConcurrencyLimit, concurrency) / L)
 */
export function capacity(
  t: ThrottlingConfig,
  l: LatencyConfig,
  timeScale: number,
  cls: CapacityClass,
): number {
  const ms = cls === 'read' ? l.readMs : cls === 'write' ? l.writeMs : l.batchPerOperationMs;
  const latencyS = (Math.max(ms, 1) * timeScale) / 1000;
  if (t.mode === 'off') return t.concurrency / latencyS;
  if (t.mode === 'resource')
    return Math.max(1, Math.floor(t.concurrency * t.utilisationThreshold)) / latencyS;
  const limits = [
    t.userExecutionLimitS / t.userWindowS / latencyS,
    Math.min(t.userConcurrencyLimit, t.concurrency) / latencyS,
  ];
  if (cls !== 'batchOperation') limits.push(t.userRequestLimit / (t.userWindowS * timeScale));
  return Math.min(...limits);
}
