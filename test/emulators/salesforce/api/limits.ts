import type { FastifyInstance } from 'fastify';
import type { EmulatorState } from '../state.js';
import { apiKind } from './route-config.js';

/** `/limits`, the versions list and the resource index. */
export default async function limitRoutes(
  app: FastifyInstance,
  opts: { state: EmulatorState },
): Promise<void> {
  const { state } = opts;
  const v = state.options.apiVersion;

  // The versions list needs no session and carries no Sforce-Limit-Info (REST API Developer Guide, "API Usage" header).
  app.get('/services/data', async () => apiVersions(v));

  app.get('/services/data/:version', { config: apiKind('other') }, async () => ({
    sobjects: `/services/data/v${v}/sobjects`,
    query: `/services/data/v${v}/query`,
    composite: `/services/data/v${v}/composite`,
    limits: `/services/data/v${v}/limits`,
    jobs: `/services/data/v${v}/jobs`,
  }));

  app.get('/services/data/:version/limits', { config: apiKind('limits') }, async () => {
    const u = state.usage;
    return {
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      DailyApiRequests: { Max: u.dailyApiLimit, Remaining: Math.max(0, u.dailyApiLimit - u.apiUsed) },
      DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
      DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
      DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
      HourlyPublishedPlatformEvents: { Max: 250000, Remaining: 250000 - state.store.events.length },
      DataStorageMB: { Max: 5, Remaining: 5 },
    };
  });
}

/**
 * Every version from 20.0 (Winter '11) up to the emulated one, oldest first, as an org lists
 * them; three releases a year, so the label follows from the number.
 */
export function apiVersions(latest: string): Array<{ label: string; url: string; version: string }> {
  const out = [];
  for (let n = 20; n <= Math.floor(Number(latest)); n++) {
    const season = ['Winter', 'Spring', 'Summer'][(n - 20) % 3]!;
    const year = String(11 + Math.floor((n - 20) / 3)).padStart(2, '0');
    out.push({ label: `${season} '${year}`, url: `/services/data/v${n}.0`, version: `${n}.0` });
  }
  return out;
}
