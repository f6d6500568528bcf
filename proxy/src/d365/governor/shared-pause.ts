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
}

/** In-process implementation: tests, and replicas sharing one process (never across processes). */
export class InMemorySharedPause implements SharedPauseState {
  private readonly until = new Map<string, number>();
  async getPausedUntil(scope: string): Promise<number> {
    return this.until.get(scope) ?? 0;
  }
  async extendPause(scope: string, untilMs: number): Promise<number> {
    const next = Math.max(this.until.get(scope) ?? 0, untilMs);
    this.until.set(scope, next);
    return next;
  }
}
