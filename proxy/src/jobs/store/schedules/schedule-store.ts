/** Schedules and named leases: once per slot across replicas and restarts; one leader at a time. */
export interface ScheduleStore {
  /**
   * Record `slotMs` as the last fired slot of `schedule` if it is newer than the recorded one.
   * true for exactly one caller per slot across all replicas and restarts.
   */
  claimScheduleSlot(schedule: string, slotMs: number, now: number): Promise<boolean>;
  /** Last recorded slot, or null when the schedule never fired. */
  getScheduleSlot(schedule: string): Promise<number | null>;
  /**
   * A named lease (leadership): true when `owner` holds it for `ttlMs` from now (which clock:
   * see `jobs/types.ts`).
   */
  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
}
