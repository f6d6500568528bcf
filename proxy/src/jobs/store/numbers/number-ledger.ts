/** The idempotency ledger (key-value, first writer wins) and proxy-assigned number ranges. */
export interface NumberLedger {
  ledgerGet<T = unknown>(ns: string, key: string): Promise<T | undefined>;
  /**
   * First writer wins: stores `value` when nothing is stored yet and returns what is stored
   * afterwards (yours, or the earlier one). `{ overwrite: true }` replaces instead.
   */
  ledgerPut<T = unknown>(ns: string, key: string, value: T, opts?: { overwrite?: boolean }): Promise<T>;
  /**
   * Next number of `sequence` within [start, end], atomically across replicas; throws
   * `NumberRangeExhaustedError` when the range is used up. The allocation is committed without
   * waiting for the disk: it becomes durable with the next durable write (the log is written in
   * order), so a caller stores the number durably (`ledgerPut`) before sending it anywhere.
   */
  allocateNumber(sequence: string, start: number, end: number): Promise<number>;
}
