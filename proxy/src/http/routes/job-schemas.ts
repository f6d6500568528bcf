/**
 * What the jobs and dead-letter routes answer with: the job schemas (OpenAPI) and the
 * conversions from the store's rows, shared by `jobs.ts` and `dead-letters.ts`.
 */
import { z } from 'zod';
import type { AuditEntry, Job } from '../../jobs/types.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  transient: z.boolean(),
  attempt: z.number().int(),
  at: z.string(),
});

export const jobSummarySchema = z.object({
  id: z.string(),
  flow: z.string(),
  key: z.string(),
  version: z.string(),
  state: z.enum(['queued', 'running', 'done', 'dead', 'superseded', 'discarded']),
  attempts: z.number().int(),
  runAt: z.string(),
  leaseUntil: z.string().nullable(),
  lastError: jobErrorSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  note: z.string().nullable(),
});

export const auditSchema = z.object({
  at: z.string(),
  action: z.enum(['dead', 'replayed', 'discarded', 'superseded', 'released']),
  actor: z.string().nullable(),
  detail: z.string().nullable(),
});

export const jobDetailSchema = jobSummarySchema.extend({
  payload: z.unknown(),
  audit: z.array(auditSchema),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
  })
  .loose();

export function jobSummary(j: Job): z.infer<typeof jobSummarySchema> {
  return {
    id: j.id,
    flow: j.flow,
    key: j.key,
    version: j.version,
    state: j.state,
    attempts: j.attempts,
    runAt: iso(j.runAt)!,
    leaseUntil: iso(j.leaseUntil),
    lastError: j.lastError ? { ...j.lastError, at: iso(j.lastError.at)! } : null,
    createdAt: iso(j.createdAt)!,
    updatedAt: iso(j.updatedAt)!,
    finishedAt: iso(j.finishedAt),
    note: j.note,
  };
}

export function jobDetail(j: Job, audit: AuditEntry[]): z.infer<typeof jobDetailSchema> {
  return {
    ...jobSummary(j),
    payload: j.payload,
    audit: audit.map((a) => ({ at: iso(a.at)!, action: a.action, actor: a.actor, detail: a.detail })),
  };
}

/** Who did it, for the audit trail (never a secret: key ids only). */
export function actorOf(principal: unknown): string | null {
  const p = principal as { kind?: string; keyId?: string; subject?: string } | undefined;
  if (!p?.kind) return null;
  return p.keyId ? `${p.kind}:${p.keyId}` : p.subject ? `${p.kind}:${p.subject}` : p.kind;
}
