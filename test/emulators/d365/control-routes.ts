/** HTTP face of the control API: JSON under /_emulator/… (no authentication; test infrastructure only). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ControlError, type D365Control } from './control.js';
import type { CapacityClass } from './throttling.js';

function json(body: unknown): Record<string, unknown> {
  if (Buffer.isBuffer(body)) {
    const text = body.toString('utf8').trim();
    if (!text) return {};
    return JSON.parse(text) as Record<string, unknown>;
  }
  return (body as Record<string, unknown> | undefined) ?? {};
}

export default async function controlRoutes(
  app: FastifyInstance,
  opts: { control: D365Control },
): Promise<void> {
  const c = opts.control;
  app.setErrorHandler((err: unknown, _request, reply: FastifyReply) => {
    const status = err instanceof ControlError ? err.status : err instanceof SyntaxError ? 400 : 500;
    void reply.code(status).send({ error: err instanceof Error ? err.message : String(err) });
  });
  const body = (request: { body: unknown }) => json(request.body);
  const entity = (request: { params: unknown }) => (request.params as { entity: string }).entity;

  app.get('/_emulator', async () => c.info());
  app.get('/_emulator/info', async () => c.info());
  app.post('/_emulator/reset', async (r) => c.reset((body(r).seed as never) ?? 'demo'));
  app.post('/_emulator/seed', async (r) => c.seed((body(r).seed as never) ?? 'demo'));
  app.get('/_emulator/rows/:entity', async (r) => {
    const q = r.query as { company?: string };
    return { value: c.rows(entity(r), q.company ? { company: q.company } : {}) };
  });
  app.post('/_emulator/rows/:entity/get', async (r, reply) => {
    const row = c.row(entity(r), (body(r).key as Record<string, unknown>) ?? {});
    return row ?? reply.code(404).send({ error: 'row not found' });
  });
  app.put('/_emulator/rows/:entity', async (r) => {
    const b = body(r);
    const rows = Array.isArray(b.rows) ? (b.rows as Array<Record<string, unknown>>) : [b];
    return { value: c.putRows(entity(r), rows) };
  });
  app.post('/_emulator/rows/:entity/delete', async (r) => ({
    deleted: c.deleteRow(entity(r), (body(r).key as Record<string, unknown>) ?? {}),
  }));
  app.post('/_emulator/on-hand', async (r) => c.setOnHand(body(r) as never));
  app.post('/_emulator/invoices', async (r) => c.postInvoice(body(r) as never));
  app.post('/_emulator/payments', async (r) => c.postPayment(body(r) as never));
  app.post('/_emulator/customer-standing', async (r) => c.setCustomerStanding(body(r) as never));
  app.post('/_emulator/payments/foreign', async (r) => c.postForeignPayment(body(r) as never));
  app.post('/_emulator/credit-notes/settle', async (r) => c.settleCreditNote(body(r) as never));
  app.get('/_emulator/throttling', async () => c.info().throttling);
  app.put('/_emulator/throttling', async (r) => c.setThrottling(body(r)));
  app.get('/_emulator/latency', async () => c.info().latency);
  app.put('/_emulator/latency', async (r) => c.setLatency(body(r)));
  app.get('/_emulator/faults', async () => c.faults());
  app.post('/_emulator/faults', async (r) => c.faults(body(r)));
  app.delete('/_emulator/faults', async () => {
    c.clearFaults();
    return c.faults();
  });
  app.post('/_emulator/business-events/endpoints', async (r) =>
    c.registerBusinessEventEndpoint(String(body(r).url ?? '')),
  );
  app.post('/_emulator/business-events/endpoints/delete', async (r) => {
    c.unregisterBusinessEventEndpoint(String(body(r).url ?? ''));
    return { ok: true };
  });
  app.get('/_emulator/business-events', async () => ({ value: c.businessEvents() }));
  app.post('/_emulator/business-events/flush', async () => {
    await c.flushBusinessEvents();
    return { value: c.businessEvents() };
  });
  app.post('/_emulator/clients', async (r) => {
    const b = body(r);
    c.registerClient(String(b.clientId ?? ''), String(b.clientSecret ?? ''));
    return { ok: true };
  });
  app.get('/_emulator/counters', async () => c.counters());
  app.post('/_emulator/counters/reset', async () => {
    c.resetCounters();
    return c.counters();
  });
  app.get('/_emulator/capacity', async (r) => {
    const cls = ((r.query as { class?: string }).class ?? 'write') as CapacityClass;
    if (!['read', 'write', 'batchOperation'].includes(cls))
      throw new ControlError(400, `unknown class '${cls}'`);
    return {
      class: cls,
      requestsPerSecond: c.capacity(cls),
      throttling: c.info().throttling,
      latency: c.info().latency,
      timeScale: c.info().timeScale,
    };
  });
  app.get('/_emulator/dmf/executions', async () => ({ value: c.dmfExecutions() }));
  app.put('/_emulator/dmf/projects/:name', async (r, reply) => {
    const entities = body(r).entities;
    if (!Array.isArray(entities)) throw new ControlError(400, 'entities must be an array');
    c.defineExportProject((r.params as { name: string }).name, entities as never);
    return reply.code(204).send();
  });
}
