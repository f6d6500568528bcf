/**
 * What `/readyz` reports about F&O: can we get a token, is its audience the configured
 * environment, is the governor paused. `ok` is false only for token failures and audience
 * mismatches — a throttle pause is reported, not failed (the proxy queues work meanwhile).
 */
import type { Governor, GovernorStatus } from './governor/governor.js';
import { audienceCheck, type AudienceCheck } from './token/audience.js';
import type { TokenCache, TokenStatus } from './token/token-cache.js';

export interface D365Readiness {
  ok: boolean;
  detail: {
    token: TokenStatus & { error?: string };
    audience: AudienceCheck | undefined;
    governor: GovernorStatus;
  };
}

export async function checkReadiness(
  tokens: TokenCache,
  governor: Governor,
  d365Url: string,
  timeoutMs = 5000,
): Promise<D365Readiness> {
  let token: string | undefined;
  let error: string | undefined;
  try {
    token = await Promise.race([
      tokens.getToken(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('token request timed out')), timeoutMs).unref(),
      ),
    ]);
  } catch (err) {
    error = (err as Error).message;
  }
  const audience = token ? audienceCheck(token, d365Url) : undefined;
  return {
    ok: token !== undefined && audience?.ok === true,
    detail: {
      token: { ...tokens.status(), ...(error ? { error } : {}) },
      audience,
      governor: governor.status(),
    },
  };
}
