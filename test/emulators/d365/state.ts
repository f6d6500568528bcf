/** Everything one running emulator holds, shared by its http and https listeners. */
import type { TokenService } from './auth/tokens.js';
import type { BusinessEvents } from './business-events.js';
import type { Counters } from './counters.js';
import type { Dmf } from './dmf.js';
import type { FaultConfig, LatencyConfig } from './options.js';
import type { Store } from './store.js';
import type { Throttler } from './throttling.js';

export interface PendingFaults {
  fail5xx: { count: number; status: number; retryAfterS?: number };
  dropConnection: { count: number };
  commitNoAnswer: { count: number; entity?: string };
}

export interface EmulatorState {
  store: Store;
  tokens: TokenService;
  throttler: Throttler;
  latency: LatencyConfig;
  counters: Counters;
  faults: PendingFaults;
  events: BusinessEvents;
  dmf: Dmf;
  timeScale: number;
  pageSize: number;
  company: string;
  urls: { http: string; https: string | undefined };
  random: () => number;
}

export function emptyFaults(): PendingFaults {
  return { fail5xx: { count: 0, status: 503 }, dropConnection: { count: 0 }, commitNoAnswer: { count: 0 } };
}

export function applyFaults(current: PendingFaults, config: FaultConfig): PendingFaults {
  return {
    fail5xx: config.fail5xx
      ? {
          count: config.fail5xx.count,
          status: config.fail5xx.status ?? 503,
          ...(config.fail5xx.retryAfterS !== undefined ? { retryAfterS: config.fail5xx.retryAfterS } : {}),
        }
      : current.fail5xx,
    dropConnection: config.dropConnection ? { count: config.dropConnection.count } : current.dropConnection,
    commitNoAnswer: config.commitNoAnswer
      ? {
          count: config.commitNoAnswer.count,
          ...(config.commitNoAnswer.entity ? { entity: config.commitNoAnswer.entity } : {}),
        }
      : current.commitNoAnswer,
  };
}
