/**
 * The proxy as `npm run build` compiles it (tsconfig.build.json), for tests that run what an
 * operator runs: `node <dist>/main.js`, `node <dist>/cli/main.js`. Built once per source state
 * into .tmp/built/<hash>/ (inside the repository, so `node_modules` resolves); parallel test
 * files that race to build it each build a private copy and the first rename wins.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(join(root, 'proxy/src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const f of [...files, join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')])
    hash.update(f).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

/** The folder holding the built `main.js` and `cli/main.js`. */
export async function builtProxy(): Promise<string> {
  const dist = join(root, '.tmp/built', sourceHash());
  if (existsSync(join(dist, 'main.js'))) return dist;
  const mine = `${dist}.${process.pid}.${Date.now()}`;
  mkdirSync(mine, { recursive: true });
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', mine],
    { cwd: root },
  );
  try {
    renameSync(mine, dist);
  } catch {
    rmSync(mine, { recursive: true, force: true }); // another test file built it first
  }
  return dist;
}
