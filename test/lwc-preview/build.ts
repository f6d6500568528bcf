/**
 * Builds the widget preview: the unchanged `force-app` LWC bundles `d365Inventory` and
 * `d365AccountStanding`, small
 * stand-ins for the `lightning-*` components it uses and a stand-in for its Apex method, bundled
 * by rollup with the official LWC plugin into `test/lwc-preview/dist/preview.js` (git-ignored).
 *
 *   npx tsx test/lwc-preview/build.ts          # build (≈1.5 s)
 *
 * What it relies on: one alias record per SFDX bundle (its folders have no namespace level),
 * `process.env.NODE_ENV` / `import.meta.env.SSR` replaced (else the page fails with `process is
 * not defined`), and an unresolved import fails the build (rollup only warns, and the page would
 * then break in the browser).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lwc from '@lwc/rollup-plugin';
import replacePlugin from '@rollup/plugin-replace';
import { rollup, type RollupLog } from 'rollup';

// Its types describe a CommonJS default export, which NodeNext types as the module object; at run
// time (ESM build) the default import is the function itself.
const replace = replacePlugin as unknown as (typeof replacePlugin)['default'];

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');
const lwcDir = join(repoRoot, 'force-app/main/default/lwc');
const srcDir = join(here, 'src');

export const PREVIEW_DIST_DIR = join(here, 'dist');
export const PREVIEW_BUNDLE = 'preview.js';

/** The force-app bundles the preview mounts (and what they import from other bundles). */
const BUNDLES = ['d365Inventory', 'd365AccountStanding'];
/** `lightning-*` tags the bundles use → stand-in folder under src/lightning. */
const LIGHTNING_STAND_INS = ['card', 'buttonIcon', 'spinner'];
/** `@salesforce/apex/…` imports → stand-in module under src/apex. */
const APEX_STAND_INS: Record<string, string> = {
  'InventoryController.getInventory': 'getInventory.js',
  'AccountStandingController.getStanding': 'getStanding.js',
};

export interface BuildResult {
  file: string;
  ms: number;
  rebuilt: boolean;
}

/** Every file the bundle is made from, for the freshness check. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === '__tests__' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
    );
  return [
    ...BUNDLES.flatMap((b) => walk(join(lwcDir, b))),
    ...walk(srcDir),
    join(repoRoot, 'test/fixtures/demo-world.js'),
    fileURLToPath(import.meta.url),
  ];
}

/** True when dist/preview.js exists and is newer than every source file. */
export function isPreviewBuildFresh(outDir = PREVIEW_DIST_DIR): boolean {
  const out = join(outDir, PREVIEW_BUNDLE);
  if (!existsSync(out)) return false;
  const builtAt = statSync(out).mtimeMs;
  return sourceFiles().every((f) => statSync(f).mtimeMs <= builtAt);
}

/** Builds the preview bundle; with `force: false` an up-to-date bundle is reused. */
export async function buildPreview(opts: { outDir?: string; force?: boolean } = {}): Promise<BuildResult> {
  const outDir = opts.outDir ?? PREVIEW_DIST_DIR;
  const file = join(outDir, PREVIEW_BUNDLE);
  const started = performance.now();
  if (!opts.force && isPreviewBuildFresh(outDir)) return { file, ms: 0, rebuilt: false };

  const problems: string[] = [];
  const bundle = await rollup({
    input: join(srcDir, 'main.js'),
    onLog(level, log: RollupLog, handler) {
      // A missing module mapping would only break in the browser ("Failed to resolve module specifier").
      if (log.code === 'UNRESOLVED_IMPORT' || log.code === 'MISSING_EXPORT') {
        problems.push(log.message);
        return;
      }
      handler(level, log);
    },
    plugins: [
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.SSR': 'false' },
      }),
      lwc({
        rootDir: srcDir,
        modules: [
          ...BUNDLES.map((name) => ({ name: `c/${name}`, path: join(lwcDir, name, `${name}.js`) })),
          ...LIGHTNING_STAND_INS.map((name) => ({
            name: `lightning/${name}`,
            path: join(srcDir, 'lightning', name, `${name}.js`),
          })),
          ...Object.entries(APEX_STAND_INS).map(([method, shim]) => ({
            name: `@salesforce/apex/${method}`,
            path: join(srcDir, 'apex', shim),
          })),
        ],
      }),
    ],
  });
  try {
    if (problems.length) throw new Error(`preview build: unresolved imports:\n  ${problems.join('\n  ')}`);
    mkdirSync(outDir, { recursive: true });
    // Written beside, then renamed into place: tests and the sandbox build at the same time (a
    // fresh clone's first scripts/test), and a page must never load a half-written bundle.
    const tmp = mkdtempSync(join(outDir, '.build-'));
    try {
      await bundle.write({ file: join(tmp, PREVIEW_BUNDLE), format: 'esm', sourcemap: true });
      renameSync(join(tmp, `${PREVIEW_BUNDLE}.map`), `${file}.map`);
      renameSync(join(tmp, PREVIEW_BUNDLE), file);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } finally {
    await bundle.close();
  }
  return { file, ms: Math.round(performance.now() - started), rebuilt: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await buildPreview({ force: true });
  console.log(`built ${result.file} in ${result.ms} ms`);
}
