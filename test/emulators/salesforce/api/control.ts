import type { FastifyInstance } from 'fastify';
import type { SalesforceEmulatorControl } from '../control.js';
import type { SfRecord } from '../data/store.js';
import type { FaultSpec } from '../faults.js';
import type { FieldAccess } from '../metadata/types.js';
import type { SeedName } from '../options.js';

/**
 * The control API over HTTP (no auth, not counted as API calls). Errors are plain
 * `{ error }` bodies with 400: this is the emulator's own surface, not Salesforce's.
 */
export default async function controlRoutes(
  app: FastifyInstance,
  opts: { control: SalesforceEmulatorControl },
): Promise<void> {
  const c = opts.control;
  const guard = async <T>(fn: () => T) => {
    try {
      return { ok: true as const, value: fn() };
    } catch (err) {
      return { ok: false as const, error: (err as Error).message };
    }
  };
  const send = async <T>(reply: { code: (n: number) => { send: (b: unknown) => unknown } }, fn: () => T) => {
    const r = await guard(fn);
    return r.ok ? reply.code(200).send(r.value ?? { ok: true }) : reply.code(400).send({ error: r.error });
  };

  app.post<{ Body: { seed?: SeedName } | undefined }>('/_emulator/reset', async (req, reply) =>
    send(reply, () => {
      c.reset(req.body?.seed);
      return { ok: true };
    }),
  );
  app.get<{ Params: { object: string } }>('/_emulator/records/:object', async (req, reply) =>
    send(reply, () => c.records(req.params.object)),
  );
  app.get<{ Params: { object: string; id: string } }>(
    '/_emulator/records/:object/:id',
    async (req, reply) => {
      const r = await guard(() => c.record(req.params.object, req.params.id));
      if (!r.ok) return reply.code(400).send({ error: r.error });
      return r.value ? r.value : reply.code(404).send({ error: 'not found' });
    },
  );
  app.put<{ Params: { object: string }; Body: SfRecord[] | { records: SfRecord[] } }>(
    '/_emulator/records/:object',
    async (req, reply) =>
      send(reply, () =>
        c.putRecords(req.params.object, Array.isArray(req.body) ? req.body : req.body.records),
      ),
  );
  app.get('/_emulator/counters', async () => c.counters());
  app.delete<{ Querystring: { keepUsage?: string } }>('/_emulator/counters', async (req) => {
    c.resetCounters({ keepUsage: req.query.keepUsage === 'true' });
    return { ok: true };
  });
  app.post('/_emulator/sessions/expire', async () => ({ expired: c.expireSessions() }));
  app.put<{ Body: { object: string; field: string; access: FieldAccess } }>(
    '/_emulator/fls',
    async (req, reply) =>
      send(reply, () => {
        c.setFieldAccess(req.body.object, req.body.field, req.body.access);
        return { ok: true };
      }),
  );
  app.delete('/_emulator/fls', async () => {
    c.resetFieldAccess();
    return { ok: true };
  });
  app.put<{ Body: Parameters<SalesforceEmulatorControl['setLimits']>[0] & { latencyMs?: number } }>(
    '/_emulator/limits',
    async (req) => {
      c.setLimits(req.body ?? {});
      if (typeof req.body?.latencyMs === 'number') c.setLatency(req.body.latencyMs);
      return c.counters();
    },
  );
  app.put<{ Body: Parameters<SalesforceEmulatorControl['setAuth']>[0] }>('/_emulator/auth', async (req) => {
    c.setAuth(req.body ?? {});
    return { ok: true };
  });
  app.post<{ Body: FaultSpec }>('/_emulator/faults', async (req) => {
    c.injectFault(req.body);
    return { ok: true };
  });
  app.delete('/_emulator/faults', async () => {
    c.clearFaults();
    return { ok: true };
  });
  app.get('/_emulator/events', async () => c.events());
  app.get('/_emulator/metadata', async () => c.loadedMetadata());
}
