import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeadLettersCli } from '../../src/cli/dead-letters.js';
import { openStore } from '../../src/jobs/store.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const url = `sqlite:${join(tmp.dir, 'cli.db')}`;
const ids: string[] = [];

beforeAll(async () => {
  const store = await openStore(url);
  for (let i = 0; i < 3; i++) {
    await store.enqueue(
      { flow: i === 2 ? 'contact' : 'account', key: `K${i}`, version: 'v1', payload: {} },
      1000 + i,
    );
  }
  for (const j of await store.claim({ now: 2000, limit: 10, leaseMs: 1000, flows: ['account', 'contact'] })) {
    await store.fail({
      id: j.id,
      attempt: j.attempts,
      now: 3000 + Number(j.key.slice(1)),
      error: { code: 'INVALID_FIELD', message: 'bad field', transient: false, attempt: 1, at: 3000 },
    });
    ids.push(j.id);
  }
  await store.close();
});
afterAll(() => tmp.remove());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeadLettersCli(argv, {
    env: { STORE_URL: url, USER: 'ops' },
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('dead-letters CLI', () => {
  it('lists, filters and shows', async () => {
    const all = await run('list');
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/3 dead letter\(s\)/);
    expect((await run('list', '--flow', 'contact')).out).toMatch(/1 dead letter\(s\)/);
    const json = JSON.parse((await run('list', '--json', '--limit', '1')).out);
    expect(json.items).toHaveLength(1);
    expect(json.nextCursor).toEqual(expect.any(String));
    const show = await run('show', ids[0]!);
    expect(JSON.parse(show.out)).toMatchObject({ id: ids[0], state: 'dead', audit: [{ action: 'dead' }] });
    expect((await run('show', 'nope')).code).toBe(1);
  });

  it('replays one and by filter, discards with a reason, and refuses bad usage', async () => {
    const one = await run('replay', ids[0]!);
    expect(one.out).toBe(`${ids[0]}\trequeued`);
    expect((await run('replay', ids[0]!)).code).toBe(1); // not dead any more
    expect((await run('replay')).code).toBe(2);
    expect((await run('replay', '--flow', 'account', '--dry-run')).out).toMatch(
      /1 dead letter\(s\) would be replayed/,
    );
    expect((await run('replay', '--flow', 'account')).out).toMatch(/replayed 1, superseded 0/);
    expect((await run('discard', ids[2]!)).code).toBe(2);
    const d = await run('discard', ids[2]!, '--reason', 'test data');
    expect(d.out).toBe(`${ids[2]}\tdiscarded`);
    const show = JSON.parse((await run('show', ids[2]!)).out);
    expect(show.audit.at(-1)).toMatchObject({ action: 'discarded', actor: 'cli:ops', detail: 'test data' });
    expect((await run('list', '--since', 'not-a-date')).code).toBe(2);
  });

  it('runs as a process with STORE_URL', { timeout: 20_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'proxy/src/cli/main.ts', 'dead-letters', 'list', '--json'],
      { env: { ...process.env, STORE_URL: url } },
    );
    expect(JSON.parse(stdout).items).toEqual([]);
  });
});
