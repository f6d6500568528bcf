/**
 * Readiness = every dependency the proxy needs answers. Each part of the proxy contributes a
 * named check; `/readyz` runs them concurrently with a timeout and reports each one's detail.
 */
export interface ReadinessResult {
  ok: boolean;
  /** Free-form detail shown in /readyz (no secrets). */
  detail?: unknown;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

export async function runReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 3000,
): Promise<{ ok: boolean; checks: Record<string, ReadinessResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<ReadinessResult>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([
          check().catch((err: unknown) => ({ ok: false, detail: (err as Error)?.message ?? String(err) })),
          timeout,
        ]);
        return [name, result] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const results = Object.fromEntries(entries);
  return { ok: entries.every(([, r]) => r.ok), checks: results };
}
