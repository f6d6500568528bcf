/**
 * The container build, checked without a Docker engine: the Dockerfile is parsed for what must
 * hold — an exact LTS base image, a build stage that installs production dependencies plus only
 * the compiler and type packages (never the development tree), a runtime stage with production
 * dependencies only, the fo-bridge CLI on PATH — and .dockerignore lets only the sources in.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  scripts: { start: string };
};

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

const instructions = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const args = Object.fromEntries(
  instructions
    .filter((i) => i.op === 'ARG' && i.args.includes('='))
    .map((i) => i.args.split('=', 2) as [string, string]),
);
/** The instructions of each stage (split at FROM). */
const stages = instructions.reduce<Instruction[][]>((acc, i) => {
  if (i.op === 'FROM') acc.push([i]);
  else acc.at(-1)?.push(i);
  return acc;
}, []);
const runs = (stage: Instruction[]) => stage.filter((i) => i.op === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('builds FROM one exact Node.js LTS release (22 or 24) on Debian bookworm-slim', () => {
    expect(stages).toHaveLength(2);
    const images = stages.map(([from]) =>
      from!.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? ''),
    );
    expect(new Set(images).size).toBe(1);
    // Exact version; a digest may follow, but only a real one (64 hex digits).
    expect(images[0]).toMatch(/^node:(22|24)\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('the build stage never installs the development tree', () => {
    const build = runs(stages[0]!);
    const npm = build.filter((r) => /\bnpm (ci|install|i)\b/.test(r));
    expect(npm.length).toBeGreaterThan(0);
    for (const r of npm) {
      if (/\bnpm ci\b/.test(r)) expect(r).toMatch(/--omit=dev/);
      else {
        // An explicit list of packages, not the manifest's tree, and only compile-time tools.
        expect(r).toMatch(/--no-save/);
        const tools = /\[([^\]]+)\]\.map/
          .exec(r)?.[1]
          ?.match(/'([^']+)'/g)
          ?.map((s) => s.slice(1, -1));
        expect(tools).toEqual(['typescript', '@types/node', '@types/better-sqlite3', '@types/pg']);
        for (const t of tools!) expect(pkg.devDependencies[t], t).toBeDefined();
      }
    }
    expect(build.join('\n')).not.toMatch(/salesforce|sfdx|vitest|eslint|prettier/i);
  });

  it('the runtime stage holds production dependencies and the build output only, as user node', () => {
    const runtime = stages[1]!;
    const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toEqual([
      '--from=build --chown=node:node /build/app/node_modules node_modules',
      '--from=build --chown=node:node /build/app/proxy/dist proxy/dist',
      '--chown=node:node package.json ./',
    ]);
    expect(runs(runtime).join('\n')).not.toMatch(/\bnpm\b/);
    expect(runtime.find((i) => i.op === 'USER')?.args).toBe('node');
    expect(runtime.some((i) => i.op === 'HEALTHCHECK' && i.args.includes('/healthz'))).toBe(true);
    // The container runs exactly what `npm start` runs (the benchmarks start the proxy that way too).
    expect(JSON.parse(runtime.find((i) => i.op === 'CMD')?.args ?? 'null')).toEqual(
      pkg.scripts.start.split(' '),
    );
  });

  it('puts the fo-bridge CLI on PATH', () => {
    expect(runs(stages[0]!).join('\n')).toContain('chmod +x proxy/dist/cli/main.js');
    expect(runs(stages[1]!)).toContain('ln -s /app/proxy/dist/cli/main.js /usr/local/bin/fo-bridge');
  });
});

describe('.dockerignore', () => {
  it('lets only the manifest, the lockfile, the tsconfigs and proxy/src into the build context', () => {
    const lines = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    expect(lines.filter((l) => l.startsWith('!'))).toEqual([
      '!package.json',
      '!package-lock.json',
      '!tsconfig.json',
      '!tsconfig.build.json',
      '!proxy/src/',
    ]);
  });
});

describe('package.json engines', () => {
  // semver arrives with npm's own tree; the test only reads versions with it.
  const semver = createRequire(import.meta.url)('semver') as {
    satisfies(v: string, range: string): boolean;
    minVersion(range: string): { version: string } | null;
  };

  it('tells the truth: every runtime dependency accepts the oldest Node.js the range allows', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(Number(oldest.split('.')[0])).toBeGreaterThanOrEqual(22); // Node 20 is end of life
    const folders = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .slice(1); // the project itself
    expect(folders.length).toBeGreaterThan(50);
    const refusing = folders.flatMap((dir) => {
      const dep = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        engines?: { node?: string };
      };
      const range = dep.engines?.node;
      return range && !['24.0.0', oldest].every((v) => semver.satisfies(v, range))
        ? [`${dep.name}@${dep.version} wants node ${range}`]
        : [];
    });
    expect(refusing).toEqual([]);
  });
});
