/**
 * The throttle pause shared by several proxy replicas (after a 429 every replica waits, not
 * just the one that was refused). The jobs store implements it (PostgreSQL or SQLite);
 * `scope` is the normalised F&O environment URL. Times are epoch milliseconds.
 *
 * Contract: `extendPause` never shortens — it stores max(current, untilMs) and returns the
 * resulting value; `getPausedUntil` returns 0 when there is no pause.
 */
export interface SharedPauseState {
  getPausedUntil(scope: string): Promise<number>;
  extendPause(scope: string, untilMs: number): Promise<number>;
  /** Optional push of pauses other replicas store (see the jobs store); the governor still polls. */
  subscribePause?(scope: string, onExtended: (untilMs: number) => void): () => void;
}

/** In-process implementation: tests, and replicas sharing one process (never across processes). */
export class InMemorySharedPause implements SharedPauseState {
  private readonly until = new Map<string, number>();
  private readonly subscribers = new Set<{ scope: string; fn: (untilMs: number) => void }>();
  constructor(private readonly push = false) {}
  async getPausedUntil(scope: string): Promise<number> {
    return this.until.get(scope) ?? 0;
  }
  async extendPause(scope: string, untilMs: number): Promise<number> {
    const next = Math.max(this.until.get(scope) ?? 0, untilMs);
    this.until.set(scope, next);
    for (const s of this.subscribers) if (s.scope === scope) s.fn(next);
    return next;
  }
  get subscribePause(): SharedPauseState['subscribePause'] {
    if (!this.push) return undefined; // poll only, as a store without notifications
    return (scope, fn) => {
      const entry = { scope, fn };
      this.subscribers.add(entry);
      return () => this.subscribers.delete(entry);
    };
  }
}
