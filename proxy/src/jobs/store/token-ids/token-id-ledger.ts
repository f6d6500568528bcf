/**
 * Seen token ids (`jti`): a sync JWT is good for one callout. The proxy remembers each `jti`
 * until the token would have expired anyway, so a captured token cannot be replayed — on this
 * replica or any other, because the SQL ledgers share the store.
 *
 * One of the store's concerns (`Store` extends it; SQL halves in `sqlite.ts`, `postgres.ts`
 * beside this file); `memoryTokenIdLedger` serves a process without a store.
 */
export interface TokenIdLedger {
  /**
   * Record `id` as used until `expiresAtMs`. True when it was not in use (never seen, or its
   * earlier use has expired); false when it is a replay. Atomic across replicas.
   */
  rememberTokenId(id: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
}

/** Purge expired ids at most this often (each call would be a wasted write under load). */
export const TOKEN_ID_PURGE_EVERY_MS = 60_000;

/** The store's ledger when it has one (both shipped stores do). */
export function tokenIdLedgerOf(store: object): TokenIdLedger | undefined {
  const candidate = store as Partial<TokenIdLedger>;
  return typeof candidate.rememberTokenId === 'function' ? (candidate as TokenIdLedger) : undefined;
}

/** For a single process without a store (unit tests, tools). */
export function memoryTokenIdLedger(): TokenIdLedger {
  const seen = new Map<string, number>();
  let purgedAt = 0;
  return {
    async rememberTokenId(id, expiresAtMs, nowMs) {
      if (nowMs - purgedAt > TOKEN_ID_PURGE_EVERY_MS) {
        for (const [k, until] of seen) if (until <= nowMs) seen.delete(k);
        purgedAt = nowMs;
      }
      const until = seen.get(id);
      if (until !== undefined && until > nowMs) return false;
      seen.set(id, expiresAtMs);
      return true;
    },
  };
}
