/**
 * Enqueue validation: the envelope (flow, key, version) by one zod schema, the payload by the
 * flow's own zod schema when it registered one, and the serialized size by JOB_MAX_PAYLOAD_BYTES.
 * All of it happens before the store is touched: a rejected record leaves nothing behind.
 */
import { z } from 'zod';
import { JobValidationError, PayloadTooLargeError } from './errors.js';
import type { EnqueueInput } from './types.js';

export const FLOW_NAME = /^[a-z][a-z0-9._-]{0,63}$/;

export const enqueueEnvelopeSchema = z.object({
  flow: z.string().regex(FLOW_NAME, 'flow must be lowercase letters, digits, ".", "_" or "-" (max 64)'),
  key: z.string().min(1).max(255),
  version: z
    .string()
    .min(1)
    .max(64)
    .regex(
      /^[\x21-\x7e]+$/,
      'version must be printable ASCII without spaces (ISO time or zero-padded number)',
    ),
  payload: z.unknown().refine((v) => v !== undefined, 'payload is required'),
  runAt: z.number().int().nonnegative().optional(),
});

export function zodIssues(err: z.ZodError, prefix = ''): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((s) => s !== '').join('.'),
    message: i.message,
  }));
}

/**
 * Validate one input; returns the input with the payload as the flow schema parsed it (defaults
 * applied, unknown keys stripped as the schema says).
 */
export function validateEnqueueInput<P>(
  input: EnqueueInput<unknown>,
  payloadSchema: z.ZodType<P> | undefined,
  maxPayloadBytes: number,
  where = 'record',
): EnqueueInput<P> {
  const env = enqueueEnvelopeSchema.safeParse(input);
  if (!env.success) {
    throw new JobValidationError(
      `Invalid job (${where}): ${z.prettifyError(env.error)}`,
      zodIssues(env.error),
    );
  }
  let payload: unknown = input.payload;
  if (payloadSchema) {
    const p = payloadSchema.safeParse(input.payload);
    if (!p.success) {
      throw new JobValidationError(
        `Invalid payload for flow "${input.flow}" (${where}): ${z.prettifyError(p.error)}`,
        zodIssues(p.error, 'payload'),
      );
    }
    payload = p.data;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch (err) {
    throw new JobValidationError(`Payload of ${where} is not JSON-serializable: ${(err as Error).message}`, [
      { path: 'payload', message: 'not JSON-serializable' },
    ]);
  }
  if (text === undefined) {
    throw new JobValidationError(`Payload of ${where} is not JSON-serializable`, [
      { path: 'payload', message: 'not JSON-serializable' },
    ]);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxPayloadBytes) throw new PayloadTooLargeError(bytes, maxPayloadBytes, where);
  const out: EnqueueInput<P> = {
    flow: input.flow,
    key: input.key,
    version: input.version,
    payload: payload as P,
  };
  if (input.runAt !== undefined) out.runAt = input.runAt;
  return out;
}
