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

  // The versions list needs no session and carries no Sforce-Limit-Info (reference §4.6).
  app.get('/services/data', async () => [{ label: "Winter '25", url: `/services/data/v${v}`, version: v }]);

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
