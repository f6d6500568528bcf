/**
 * The naive F&O client the benchmarks compare against (the seed playbook's fixed retry): a fixed
 * number of workers POSTing customers, each retrying a 429 after its own exponential backoff
 * (100 ms · 2ⁿ, at most 2 s, scaled like the emulator) and ignoring Retry-After; no governor.
 * Bounded in time, so a naive run that F&O keeps refusing still ends.
 */
export interface NaiveRun {
  completed: number;
  seconds: number;
  /** 429s among all requests sent. */
  share429: number;
}

export async function naiveCreates(opts: {
  url: string;
  token: string;
  names: readonly string[];
  workers: number;
  timeScale: number;
  limitS: number;
}): Promise<NaiveRun> {
  let next = 0;
  let completed = 0;
  let requests = 0;
  let refused = 0;
  const stopAt = Date.now() + opts.limitS * 1000;
  const started = performance.now();
  const createOne = async (name: string) => {
    for (let attempt = 0; Date.now() < stopAt; attempt++) {
      const res = await fetch(`${opts.url}/data/CustomersV3?cross-company=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          dataAreaId: 'usmf',
          OrganizationName: name,
          CustomerGroupId: '10',
          SalesCurrencyCode: 'USD',
        }),
      });
      await res.arrayBuffer();
      requests += 1;
      if (res.status !== 429) {
        completed += 1;
        return;
      }
      refused += 1;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt) * opts.timeScale));
    }
  };
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      while (next < opts.names.length && Date.now() < stopAt) await createOne(opts.names[next++]!);
    }),
  );
  return {
    completed,
    seconds: (performance.now() - started) / 1000,
    share429: requests === 0 ? 0 : refused / requests,
  };
}
