import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { D365Emulator } from './index.js';
import { getToken, startTestEmulator } from './test-helpers.js';

let emu: D365Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function fire(e: D365Emulator, token: string, n: number, path = 'CustomerGroups?$top=1') {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const res = await fetch(`${e.url}/data/${path}`, { headers: { authorization: `Bearer ${token}` } });
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        exactMs: res.headers.get('x-emulator-retry-after-ms'),
        body: await res.text(),
      };
    }),
  );
}

describe('resource-based throttling', () => {
  it('answers 429 with Retry-After and the documented message beyond the utilisation threshold, and grows the interval for a client that keeps pushing', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      timeScale: 0.01,
      latency: { readMs: 5000, jitter: 0 }, // 50 ms each after scaling
      throttling: { mode: 'resource', concurrency: 4, utilisationThreshold: 0.5, retryAfterS: 10 },
    });
    const token = await getToken(emu);
    const results = await fire(emu, token, 6);
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(2); // floor(4 × 0.5)
    expect(refused.length).toBe(4);
    const first = refused[0]!;
    expect(first.retryAfter).toBe('1'); // 10 s × 0.01 = 0.1 s, rounded up to whole seconds
    expect(JSON.parse(first.body)).toEqual({
      error: {
        code: '',
        message:
          'This request could not be processed at this time due to system experiencing high resource utilization.',
      },
    });
    // Requests sent while throttled double the interval each time.
    const exact = refused.map((r) => Number(r.exactMs)).sort((a, b) => a - b);
    expect(exact).toEqual([100, 200, 400, 800]);
    expect(emu.control.counters().throttled429).toBe(4);
    // Waiting out the penalty lets the client in again.
    await new Promise((r) => setTimeout(r, 850));
    expect((await fire(emu, token, 1))[0]!.status).toBe(200);
  });

  it('with a queue depth, queues that many beyond the threshold (their latency grows by the wait) and refuses only the next', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      timeScale: 0.01,
      latency: { readMs: 10_000, jitter: 0 }, // 100 ms each after scaling
      throttling: {
        mode: 'resource',
        concurrency: 4,
        utilisationThreshold: 0.5,
        queueDepth: 2,
        retryAfterS: 10,
      },
    });
    const token = await getToken(emu);
    const timed = Array.from({ length: 5 }, async () => {
      const t = performance.now();
      const res = await fetch(`${emu!.url}/data/CustomerGroups?$top=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.text();
      return { status: res.status, ms: performance.now() - t };
    });
    const results = await Promise.all(timed);
    const ok = results
      .filter((r) => r.status === 200)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    expect(ok).toHaveLength(4); // 2 execute (floor(4 × 0.5)), 2 wait for them
    expect(results.filter((r) => r.status === 429)).toHaveLength(1);
    expect(ok[1]!).toBeLessThan(180); // executed at once: ~100 ms
    expect(ok[2]!).toBeGreaterThan(190); // waited for a slot first: ~200 ms
  });

  it('does not throttle the DMF package API', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      latency: { writeMs: 0, readMs: 30000, jitter: 0 },
      throttling: { mode: 'resource', concurrency: 1, utilisationThreshold: 1 },
    });
    const token = await getToken(emu);
    const slow = fetch(`${emu.url}/data/CustomerGroups`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => setTimeout(r, 10));
    const dmf = await fetch(
      `${emu.url}/data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetExecutionSummaryStatus`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ executionId: 'x' }),
      },
    );
    expect(dmf.status).toBe(200);
    expect((await fire(emu, token, 1))[0]!.status).toBe(429);
    await slow;
  });
});

describe('legacy user-based throttling', () => {
  it('limits requests per sliding window per client id with the documented message', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      latency: { readMs: 0, jitter: 0 },
      throttling: { mode: 'user', userRequestLimit: 5, userWindowS: 300 },
    });
    const token = await getToken(emu);
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 7; i++) {
      const [r] = await fire(emu, token, 1);
      statuses.push(r!.status);
      last = r!.body;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(JSON.parse(last).error.message).toBe(
      'Number of requests exceeded the limit of 5 over the time window of 300 seconds.',
    );
    // Another app registration has its own budget.
    emu.control.registerClient('other-app', 'other-secret');
    const res = await fetch(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'other-app',
        client_secret: 'other-secret',
        scope: `${emu.url}/.default`,
      }),
    });
    const other = ((await res.json()) as { access_token: string }).access_token;
    expect((await fire(emu, other, 1))[0]!.status).toBe(200);
    // The window is 300 s × 0.01 = 3 s.
    await new Promise((r) => setTimeout(r, 3100));
    expect((await fire(emu, token, 1))[0]!.status).toBe(200);
  });

  it('limits concurrent requests', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      latency: { readMs: 5000, jitter: 0 },
      throttling: { mode: 'user', userConcurrencyLimit: 3 },
    });
    const token = await getToken(emu);
    const results = await fire(emu, token, 5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(2);
    expect(results.find((r) => r.status === 429)!.body).toContain(
      'Number of concurrent requests exceeded the limit of 3.',
    );
  });
});

describe('latency, capacity and counters', () => {
  it('queues beyond the simulated concurrency when throttling is off, and reports peak concurrency', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      latency: { readMs: 5000, jitter: 0 },
      throttling: { concurrency: 2 },
    });
    const token = await getToken(emu);
    const t0 = Date.now();
    const results = await fire(emu, token, 4);
    const elapsed = Date.now() - t0;
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(95); // two rounds of 50 ms
    expect(emu.control.counters().peakConcurrency).toBe(2);
  });

  it('capacity() follows the documented formula and changes with setThrottling/setLatency', async () => {
    emu = await startTestEmulator({
      seed: 'empty',
      timeScale: 0.1,
      latency: { readMs: 100, writeMs: 200, batchPerOperationMs: 50 },
    });
    // off: concurrency 16 / (200 ms × 0.1)
    expect(emu.control.capacity('write')).toBeCloseTo(16 / 0.02, 6);
    emu.control.setThrottling({ mode: 'resource', concurrency: 10, utilisationThreshold: 0.75 });
    expect(emu.control.capacity('read')).toBeCloseTo(7 / 0.01, 6);
    expect(emu.control.capacity('batchOperation')).toBeCloseTo(7 / 0.005, 6);
    emu.control.setThrottling({ mode: 'user' });
    // min(6000/(300×0.1)=200, (1200/300)/0.02=200, min(52,10)/0.02=500)
    expect(emu.control.capacity('write')).toBeCloseTo(200, 6);
    emu.control.setLatency({ writeMs: 400 });
    expect(emu.control.capacity('write')).toBeCloseTo(100, 6);
    const http = (await (await fetch(`${emu.url}/_emulator/capacity?class=write`)).json()) as {
      requestsPerSecond: number;
    };
    expect(http.requestsPerSecond).toBeCloseTo(100, 6);
  });
});

describe('fault injection', () => {
  it('fail5xx answers the configured status for the next N requests', async () => {
    emu = await startTestEmulator({ seed: 'empty' });
    const token = await getToken(emu);
    emu.control.faults({ fail5xx: { count: 2, status: 503 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fire(emu, token, 1))[0]!.status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(emu.control.counters().faultsInjected).toBe(2);
  });

  it('dropConnection destroys the socket without an answer', async () => {
    emu = await startTestEmulator({ seed: 'empty' });
    const token = await getToken(emu);
    await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dropConnection: { count: 1 } }),
    });
    await expect(
      fetch(`${emu.url}/data/CustomerGroups`, { headers: { authorization: `Bearer ${token}` } }),
    ).rejects.toThrow();
    expect((await fire(emu, token, 1))[0]!.status).toBe(200);
  });

  it('commitNoAnswer commits the POST, then drops the connection (only for the named entity)', async () => {
    emu = await startTestEmulator();
    const token = await getToken(emu);
    emu.control.faults({ commitNoAnswer: { count: 1, entity: 'CustomersV3' } });
    const post = (set: string, body: unknown) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${emu!.url}/data/${set}`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    expect(await post('CustomerGroups', { CustomerGroupId: 'NA1', Description: 'not affected' })).toBe(201);
    await expect(
      post('CustomersV3', {
        CustomerAccount: 'AMBIG-1',
        OrganizationName: 'Ambiguous',
        CustomerGroupId: '10',
        SalesCurrencyCode: 'USD',
      }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emu.control.row('CustomersV3', { CustomerAccount: 'AMBIG-1' })).toBeDefined();
    expect(emu.control.faults().commitNoAnswer.count).toBe(0);
  });
});
