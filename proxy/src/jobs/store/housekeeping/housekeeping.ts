/** Housekeeping: retention (purge) and the queue's counts for metrics and the doctor (stats). */
import type { PurgeOptions, QueueStats } from '../../types.js';

export interface Housekeeping {
  purge(opts: PurgeOptions): Promise<number>;
  stats(): Promise<QueueStats>;
}
