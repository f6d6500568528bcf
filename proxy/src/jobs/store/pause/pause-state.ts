/** Shared throttle state of the F&O governor (structural: the d365 client declares the same). */
export interface PauseState {
  /** Epoch ms until which the scope is paused; 0 when never paused (may be in the past). */
  getPausedUntil(scope: string): Promise<number>;
  /** Raise the pause to at least `untilMs`; never shortens it; returns the resulting value. */
  extendPause(scope: string, untilMs: number): Promise<number>;
  /**
   * Pushes every pause end another replica stores for `scope` as it is committed (PostgreSQL:
   * LISTEN/NOTIFY, `notifications.ts`); absent where one process is the only writer (SQLite).
   * Returns the unsubscribe.
   */
  subscribePause?(scope: string, onExtended: (untilMs: number) => void): () => void;
}
