/**
 * `npm run bench -- [suite ...]`: runs benchmark suites (all when none is named), prints a
 * table per suite and writes test/bench/results/<suite>.json as
 * { suite, machine, ranAt, durationS, metrics }. Speed and memory goals live here, never in tests.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

type Suite = () => Promise<Record<string, number>>;

const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const available = readdirSync(suitesDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((s) => !available.includes(s));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const machine = {
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
};

mkdirSync(resultsDir, { recursive: true });
let failed = false;
for (const suite of requested.length ? requested : available) {
  const started = performance.now();
  console.log(`\n▶ ${suite}`);
  try {
    const mod = (await import(join(suitesDir, `${suite}.ts`))) as { default: Suite };
    const metrics = await mod.default();
    const durationS = Math.round((performance.now() - started) / 100) / 10;
    const width = Math.max(...Object.keys(metrics).map((k) => k.length), 6);
    console.log(`${'metric'.padEnd(width)}  value`);
    for (const [k, v] of Object.entries(metrics)) console.log(`${k.padEnd(width)}  ${formatNumber(v)}`);
    console.log(`(${durationS} s)`);
    writeFileSync(
      join(resultsDir, `${suite}.json`),
      `${JSON.stringify({ suite, machine, ranAt: new Date().toISOString(), durationS, metrics }, null, 2)}\n`,
    );
  } catch (err) {
    failed = true;
    console.error(`suite ${suite} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
