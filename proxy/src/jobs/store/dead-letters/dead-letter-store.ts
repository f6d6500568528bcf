/** Dead letters: what an operator lists, replays (one or by filter) and discards, with an audit trail. */
import type { DeadLetterFilter, Job, Page, ReplayResult } from '../../types.js';

export interface DeadLetterStore {
  listDeadLetters(
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string | null },
  ): Promise<Page<Job>>;
  replay(id: string, opts: { now: number; actor?: string | null }): Promise<ReplayResult>;
  replayMany(
    filter: DeadLetterFilter,
    opts: { now: number; actor?: string | null; limit: number },
  ): Promise<ReplayResult[]>;
  discard(id: string, opts: { now: number; reason: string; actor?: string | null }): Promise<Job>;
}
