/**
 * The production entry as a real process: it listens, answers, and on SIGTERM stops
 * accepting, finishes, and exits 0 within the grace period. A bad config exits with one
 * message listing every problem.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRY = join(import.meta.dirname, '../../src/main.ts');

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const dir = mkdtempSync(join(tmpdir(), 'fob-main-'));
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ENTRY], {
    cwd: dir, // no .env there: the test controls the whole environment
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      STORE_URL: `sqlite:${join(dir, 'bridge.db')}`,
      ...env,
    },
  });
}

function waitForExit(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitForListening(child: ChildProcessWithoutNullStreams, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in: ${output.join('')}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(String(chunk));
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}

describe('process entry (main.ts)', () => {
  it('listens, serves, and shuts down cleanly on SIGTERM', async () => {
    const child = start({ PORT: '0', HOST: '127.0.0.1', INBOUND_API_KEYS: 'dev-key-0123456789abcdef' });
    const output: string[] = [];
    child.stderr.on('data', (c: Buffer) => output.push(String(c)));
    const url = await waitForListening(child, output);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await waitForExit(child)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const lines = output.join('');
    expect(lines).toContain('shutting down');
    // JSON logs in production form, each with a level and a time.
    const first = lines.split('\n').find((l) => l.startsWith('{'));
    expect(JSON.parse(first!)).toHaveProperty('level');
    expect(lines).not.toContain('dev-key-0123456789abcdef');
  });

  it('exits with a message naming every bad variable', async () => {
    const child = start({ PORT: 'abc', STORE_URL: 'mysql://nope' });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    expect(await waitForExit(child)).toBe(78);
    expect(stderr).toContain('Invalid configuration (2 problems)');
    expect(stderr).toMatch(/- PORT:/);
    expect(stderr).toMatch(/- STORE_URL:/);
  });
});
