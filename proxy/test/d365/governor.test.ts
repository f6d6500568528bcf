import { describe, it, expect } from 'vitest';
import { D365Throttled } from '../../src/d365/errors.js';
import { AdaptiveLimit, type AdaptiveLimitOptions } from '../../src/d365/governor/adaptive-limit.js';
import { Governor, type Slot } from '../../src/d365/governor/governor.js';
import type { Lane } from '../../src/d365/governor/lanes.js';
import { InMemorySharedPause } from '../../src/d365/governor/shared-pause.js';
import { Registry } from 'prom-client';

const flush = () => new Promise((r) => setImmediate(r));

function governor(extra: Partial<ConstructorParameters<typeof Governor>[0]> = {}) {
  return new Governor({ environment: 'https://fo.test', pauseJitterMs: 0, ...extra });
}

describe('priority lanes', () => {
  it('serves waiting calls interactive > order > sync > bulk, whatever the arrival order', async () => {
    const g = governor({ maxConcurrency: 1, initialConcurrency: 1, interactiveReserve: 0 });
    const first = await g.acquire('bulk');
    const order: Lane[] = [];
    const lanes: Lane[] = ['bulk', 'sync', 'order', 'interactive', 'bulk', 'sync'];
    const waits = lanes.map((lane) =>
      g.acquire(lane).then((slot) => {
        order.push(lane);
        setImmediate(() => slot.release({ kind: 'neutral' }));
      }),
    );
    first.release({ kind: 'neutral' });
    await Promise.all(waits);
    expect(order).toEqual(['interactive', 'order', 'sync', 'sync', 'bulk', 'bulk']);
    g.close();
  });

  it('ages waiting background work so bulk is not starved by a stream of sync calls', async () => {
    let now = 0;
    const g = governor({ maxConcurrency: 1, initialConcurrency: 1, agingMs: 1000, now: () => now });
    const hold = await g.acquire('sync');
    const got: string[] = [];
    const bulk = g.acquire('bulk').then((s) => (got.push('bulk'), s));
    now = 5000; // bulk has waited 5 s: 5 levels, more than the 2 between bulk and sync
    const sync = g.acquire('sync').then((s) => (got.push('sync'), s));
    hold.release({ kind: 'neutral' });
    (await bulk).release({ kind: 'neutral' });
    (await sync).release({ kind: 'neutral' });
    expect(got).toEqual(['bulk', 'sync']);
    g.close();
  });

  it('keeps a slot free for interactive calls while background work saturates the limit', async () => {
    const g = governor({ maxConcurrency: 4, initialConcurrency: 4, interactiveReserve: 1 });
    (await g.acquire('interactive')).release({ kind: 'neutral' }); // a rep was here recently
    const bulk: Slot[] = [];
    const pending = Array.from({ length: 6 }, () => g.acquire('bulk').then((s) => bulk.push(s)));
    await flush();
    expect(bulk).toHaveLength(3);
    const interactive = await g.acquire('interactive'); // granted at once
    expect(g.status().inFlight).toBe(4);
    interactive.release({ kind: 'neutral' });
    while (bulk.length) bulk.shift()!.release({ kind: 'neutral' });
    await flush();
    while (bulk.length) bulk.shift()!.release({ kind: 'neutral' });
    await Promise.all(pending);
    g.close();
  });
});

describe('pause after 429', () => {
  it('pauses every lane until Retry-After has passed', async () => {
    const g = governor({ maxConcurrency: 8 });
    const s = await g.acquire('sync');
    const t0 = Date.now();
    s.release({ kind: 'throttled', retryAfterMs: 300 });
    const lanes: Lane[] = ['interactive', 'order', 'bulk'];
    const times = await Promise.all(
      lanes.map((l) =>
        g.acquire(l).then((slot) => {
          slot.release({ kind: 'neutral' });
          return Date.now() - t0;
        }),
      ),
    );
    for (const t of times) expect(t).toBeGreaterThanOrEqual(300);
    g.close();
  });

  it('exposes the pause and the 429 count as metrics', async () => {
    const registry = new Registry();
    const g = governor({ registry });
    (await g.acquire('sync')).release({ kind: 'throttled', retryAfterMs: 50 });
    const text = await registry.metrics();
    expect(text).toMatch(/fobridge_d365_throttled_total\{environment="https:\/\/fo.test"\} 1/);
    expect(text).toMatch(/fobridge_d365_paused_until_seconds\{environment="https:\/\/fo.test"\} [1-9]/);
    expect(text).toContain('fobridge_d365_concurrency_limit');
    g.close();
  });

  it('sends nothing more when a 429 arrives together with a success: the freed slot waits for the pause', async () => {
    const g = governor({ initialConcurrency: 2, maxConcurrency: 8 });
    const [a, b] = [await g.acquire('sync'), await g.acquire('sync')];
    let sentAt = 0;
    const next = g.acquire('sync').then((s) => {
      sentAt = Date.now();
      return s;
    });
    const t0 = Date.now();
    // Both answers were read in one round of I/O callbacks (the proxy was busy): success first.
    a.release({ kind: 'success', latencyMs: 40, latencyClass: 'write' });
    b.release({ kind: 'throttled', retryAfterMs: 300 });
    await flush();
    expect(sentAt).toBe(0);
    (await next).release({ kind: 'neutral' });
    expect(sentAt - t0).toBeGreaterThanOrEqual(300);
    g.close();
  });

  it('never shortens a pause', async () => {
    const g = governor();
    g.pauseUntil(Date.now() + 10_000);
    g.pauseUntil(Date.now() + 10);
    expect(g.pausedUntil - Date.now()).toBeGreaterThan(9000);
    g.close();
  });

  it("fails fast with D365Throttled when the pause outlasts the caller's deadline", async () => {
    const g = governor();
    g.pauseUntil(Date.now() + 5000);
    const err = await g.acquire('interactive', { deadline: Date.now() + 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(D365Throttled);
    expect((err as D365Throttled).retryAfterMs).toBeGreaterThan(3900);
    g.close();
  });

  it('shares the pause with other replicas through SharedPauseState', async () => {
    const shared = new InMemorySharedPause();
    const a = governor({ sharedPause: shared, sharedPollMs: 0 });
    const b = governor({ sharedPause: shared, sharedPollMs: 0 });
    const s = await a.acquire('sync');
    const t0 = Date.now();
    s.release({ kind: 'throttled', retryAfterMs: 300 });
    await flush();
    expect(await shared.getPausedUntil('https://fo.test')).toBeGreaterThanOrEqual(t0 + 300);
    const slot = await b.acquire('interactive');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    slot.release({ kind: 'neutral' });
    a.close();
    b.close();
  });

  it('holds a pause another replica stored at once when the store pushes it, without waiting for the poll', async () => {
    const shared = new InMemorySharedPause(true);
    // A poll a minute apart: only the push can tell b in time.
    const a = governor({ sharedPause: shared, sharedPollMs: 60_000 });
    const b = governor({ sharedPause: shared, sharedPollMs: 60_000 });
    (await b.acquire('sync')).release({ kind: 'neutral' }); // b has polled once: fresh for a minute
    const s = await a.acquire('sync');
    const t0 = Date.now();
    s.release({ kind: 'throttled', retryAfterMs: 300 });
    await flush();
    expect(b.status().pausedUntil).toBeGreaterThanOrEqual(t0 + 300);
    const slot = await b.acquire('sync');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    slot.release({ kind: 'neutral' });
    // A shorter pause pushed later never shortens the one held.
    const held = b.status().pausedUntil;
    await shared.extendPause('https://fo.test', t0);
    expect(b.status().pausedUntil).toBe(held);
    a.close();
    b.close();
  });
});

/**
 * An adaptive limit on a clock the test moves, and `window()`: one healthy window at the current
 * limit (every call 50 ms, sent now), then 60 ms later.
 */
function clockedLimit(options: Omit<AdaptiveLimitOptions, 'now'>) {
  const clock = { now: 0 };
  const l = new AdaptiveLimit({ ...options, now: () => clock.now });
  const window = () => {
    const n = l.limit;
    for (let i = 0; i < n; i++) l.onSuccess(50, clock.now);
    clock.now += 60;
  };
  return { l, clock, window };
}

describe('adaptive concurrency', () => {
  it('grows by one per healthy window; a 429 above the last good level resumes at that level and holds it', () => {
    const { l, clock, window } = clockedLimit({ initial: 4, max: 52, probeIntervalMs: 10_000 });
    for (let i = 0; i < 8; i++) window();
    expect(l.limit).toBe(12);
    l.onThrottled(clock.now - 10, 12);
    expect(l.limit).toBe(11); // the last level that completed a healthy window, not half, not 1
    expect(l.learnedCeiling).toBe(11);
    expect(l.onThrottled(clock.now - 20, 12)).toBe('none'); // same wave: no second cut
    for (let i = 0; i < 10; i++) window();
    expect(l.limit).toBe(11); // holding just below the refused 12
    clock.now += 10_000;
    window();
    expect(l.limit).toBe(12); // one probe after the interval
  });

  it('after a storm of 429s (every level refused) climbs back to the ceiling within a few windows', () => {
    const { l, clock, window } = clockedLimit({ initial: 6, max: 52 });
    window(); // healthy at 6 → probes 7
    l.onThrottled(clock.now - 10, 7); // refused at 7: 6 is the capacity
    expect(l.limit).toBe(6);
    window();
    for (let wave = 0; wave < 20; wave++) {
      clock.now += 1000; // each wave is sent after the Retry-After pause and refused at once
      l.onThrottled(clock.now - 1, wave === 0 ? 6 : 1);
    }
    expect(l.limit).toBe(1);
    expect(l.learnedCeiling).toBe(6); // a storm teaches nothing about capacity
    for (let i = 0; i < 5; i++) window();
    expect(l.limit).toBe(6);
  });

  it('refused again at the level it resumed at, after F&O answered calls there: one step lower, not half', () => {
    const { l, clock, window } = clockedLimit({ initial: 6, max: 52 });
    window(); // healthy at 6 → 7
    window(); // 7 looked healthy once (calls in transit): → 8
    l.onThrottled(clock.now - 10, 8);
    expect(l.limit).toBe(7); // resumes at the last good level
    clock.now += 7_500; // the Retry-After pause
    for (let i = 0; i < 3; i++) l.onSuccess(50, clock.now); // F&O answers some calls at 7 …
    l.onThrottled(clock.now, 7); // … and refuses one sent with all 7 slots taken
    expect(l.limit).toBe(6);
    expect(l.learnedCeiling).toBe(6);
  });

  it('follows a capacity that fell: refused again on the way back lowers the ceiling', () => {
    const { l, clock, window } = clockedLimit({ initial: 6, max: 52 });
    window();
    l.onThrottled(clock.now - 10, 7);
    window();
    expect(l.limit).toBe(6);
    // F&O now takes 3.
    l.onThrottled(clock.now - 10, 6);
    expect(l.limit).toBe(3);
    window(); // healthy at 3 → climbs towards 6
    expect(l.limit).toBe(5);
    l.onThrottled(clock.now - 10, 5);
    expect(l.limit).toBe(3); // the last good level
    expect(l.learnedCeiling).toBe(3);
  });

  it('grows only a limit that was reached: healthy calls below it leave it alone', () => {
    const l = new AdaptiveLimit({ initial: 6, max: 52 });
    for (let i = 0; i < 60; i++) l.onSuccess(50, 0, 'write', false); // never more than 5 in flight
    expect(l.limit).toBe(6);
    for (let i = 0; i < 6; i++) l.onSuccess(50, 0, 'write', i === 3);
    expect(l.limit).toBe(7);
  });

  it('cuts on a latency jump', () => {
    const { l, clock } = clockedLimit({ initial: 8, max: 52 });
    for (let i = 0; i < 8; i++) l.onSuccess(50, clock.now);
    expect(l.limit).toBe(9);
    clock.now += 60;
    for (let i = 0; i < 9; i++) l.onSuccess(400, clock.now);
    expect(l.limit).toBe(4);
  });

  it('stops growing once queueing shows in the latency, without cutting', () => {
    const { l, clock } = clockedLimit({ initial: 8, max: 52 });
    for (let i = 0; i < 8; i++) l.onSuccess(50, clock.now);
    for (let round = 0; round < 10; round++) {
      clock.now += 60;
      const n = l.limit;
      for (let i = 0; i < n; i++) l.onSuccess(75, clock.now); // 1.5 × baseline: F&O has started to queue
    }
    expect(l.limit).toBe(9);
    clock.now += 60;
    for (let i = 0; i < 9; i++) l.onSuccess(60, clock.now); // one lucky window (1.2 ×) after them
    expect(l.limit).toBe(9); // the level's smoothed latency still says F&O queues here
  });

  it('judges a new level only by calls sent at it: calls still in transit from the level below do not grow it again', () => {
    const { l, clock } = clockedLimit({ initial: 8, max: 52 });
    for (let i = 0; i < 8; i++) l.onSuccess(50, clock.now);
    expect(l.limit).toBe(9);
    // Healthy answers to calls sent before the limit grew (at 8, less queueing): no verdict on 9.
    for (let i = 0; i < 9; i++) l.onSuccess(50, clock.now - 10);
    expect(l.limit).toBe(9);
    clock.now += 60;
    for (let i = 0; i < 9; i++) l.onSuccess(50, clock.now); // sent at 9 and healthy: grow
    expect(l.limit).toBe(10);
  });

  it('holding on queueing latency, does not let the baseline absorb it: minutes of windows later it still holds', () => {
    const { l, clock } = clockedLimit({ initial: 8, max: 52 });
    for (let i = 0; i < 8; i++) l.onSuccess(50, clock.now);
    expect(l.limit).toBe(9);
    // F&O queues at 9: every window 1.4 × the unloaded latency, 16 windows a second for 30 s.
    for (let round = 0; round < 480; round++) {
      for (let i = 0; i < l.limit; i++) l.onSuccess(70, clock.now);
      clock.now += 62;
    }
    expect(l.limit).toBe(9); // a per-window drift had reached 1.3 × within ~70 windows and grown on
    // A slowdown that lasts is still followed, by time: ten minutes on, the limit grows again.
    for (let round = 0; round < 1000; round++) {
      for (let i = 0; i < l.limit; i++) l.onSuccess(70, clock.now);
      clock.now += 1000;
    }
    expect(l.limit).toBeGreaterThan(9);
  });

  it('does not grow while one kind of call shows queueing, even if the other looks healthy; a verdict that old no longer counts', () => {
    const { l, clock } = clockedLimit({ initial: 4, max: 52 });
    const both = (read: number, write: number) => {
      for (let i = 0; i < l.limit; i++) l.onSuccess(read, clock.now, 'read');
      for (let i = 0; i < l.limit; i++) l.onSuccess(write, clock.now, 'write');
      clock.now += 60;
    };
    both(20, 60); // baselines; grows twice (each class a healthy window)
    expect(l.limit).toBe(6);
    for (let i = 0; i < 5; i++) both(30, 66); // reads 1.5 × (they wait behind writes), writes 1.1 ×
    expect(l.limit).toBe(6);
    clock.now += 10_000; // reads stopped: their old verdict no longer holds writes back
    for (let i = 0; i < l.limit; i++) l.onSuccess(60, clock.now, 'write');
    expect(l.limit).toBe(7);
  });

  it('keeps separate baselines for reads and writes', () => {
    const { l, clock } = clockedLimit({ initial: 4, max: 52 });
    for (let i = 0; i < 4; i++) l.onSuccess(20, clock.now, 'read');
    clock.now += 60;
    for (let i = 0; i < 5; i++) l.onSuccess(120, clock.now, 'write'); // slower, but normal for writes
    clock.now += 60;
    for (let i = 0; i < 6; i++) l.onSuccess(120, clock.now, 'write');
    expect(l.limit).toBe(7);
  });

  it('never exceeds maxConcurrency', () => {
    const l = new AdaptiveLimit({ initial: 4, max: 5 });
    for (let i = 0; i < 100; i++) l.onSuccess(10, 0);
    expect(l.limit).toBe(5);
  });
});

describe('job capacity (what the job queue runs at once)', () => {
  it('grows while slots idle with no call waiting, shrinks once more than the look-ahead wait, and stays within its bounds', async () => {
    const g = governor({ maxConcurrency: 8, initialConcurrency: 4 });
    const first = g.jobCapacity();
    expect(first).toBe(4 + 2 + 1); // starts at limit + look-ahead; +1: slots are idle
    for (let i = 0; i < 100; i++) g.jobCapacity();
    expect(g.jobCapacity()).toBe(16 * 4 + 2); // the upper bound: 16 × limit + look-ahead
    const held = await Promise.all(Array.from({ length: 4 }, () => g.acquire('sync')));
    // More than the look-ahead (2) waiting; each gives its slot back as soon as it gets one.
    const waiting = Array.from({ length: 5 }, () =>
      g.acquire('sync').then((s) => setImmediate(() => s.release({ kind: 'neutral' }))),
    );
    await flush();
    const busy = g.jobCapacity();
    expect(busy).toBe(16 * 4 + 2 - 1);
    for (let i = 0; i < 100; i++) g.jobCapacity();
    expect(g.jobCapacity()).toBe(4); // never below the limit
    for (const s of held) s.release({ kind: 'neutral' });
    await Promise.all(waiting);
    g.close();
  });
});

describe('static budget', () => {
  it('holds calls once the sliding-window request budget is spent', async () => {
    const g = governor({ requestBudget: 3, budgetWindowMs: 300 });
    const t0 = Date.now();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await g.acquire('sync');
      times.push(Date.now() - t0);
      s.release({ kind: 'success', latencyMs: 1 });
    }
    expect(times.slice(0, 3).every((t) => t < 100)).toBe(true);
    expect(times[3]).toBeGreaterThanOrEqual(295);
    expect(g.status().budget?.requests).toBeLessThanOrEqual(3);
    g.close();
  });
});
