import globals from 'globals';
import tseslint from 'typescript-eslint';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const lwcRecommended = require('@salesforce/eslint-config-lwc').configs.recommended;
const jestPlugin = require('eslint-plugin-jest');
const importPlugin = require('eslint-plugin-import');

/**
 * The proxy's inward rule (README, "Architecture"): `http`, `cli` and the composition root
 * (`app.ts`, `main.ts`, `runtime.ts`) call `flows`; `flows` use `mapping`, `d365`,
 * `salesforce` and `jobs`; nothing below reaches back up, `mapping` imports no other part of
 * the proxy (libraries such as zod are fine), and no import cycle exists anywhere.
 */
const TOP = ['http', 'cli', 'app.ts', 'main.ts', 'runtime.ts'].map((p) => `./proxy/src/${p}`);
export const architecture = {
  files: ['proxy/src/**/*.ts'],
  plugins: { import: importPlugin },
  settings: {
    // Read TypeScript modules when following imports (no-cycle walks the graph through them).
    'import/extensions': ['.ts', '.js'],
    'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import/resolver': {
      [fileURLToPath(new URL('./scripts/lib/eslint/ts-import-resolver.cjs', import.meta.url))]: {},
    },
  },
  rules: {
    'import/no-restricted-paths': [
      'error',
      {
        zones: [
          ...['flows', 'd365', 'salesforce', 'jobs', 'mapping'].map((part) => ({
            target: `./proxy/src/${part}`,
            from: TOP,
            message: `${part}/ is below http/, cli/ and the composition root: pass what it needs in instead.`,
          })),
          {
            target: './proxy/src/mapping',
            from: './proxy/src',
            except: ['./mapping'],
            message: 'mapping/ is pure: it imports only itself and libraries.',
          },
        ],
      },
    ],
    'import/no-cycle': ['error', { ignoreExternal: true, disableScc: true }],
  },
};

export default [
  {
    ignores: [
      'node_modules/**',
      'proxy/dist/**',
      'test/lwc-preview/dist/**',
      'test/bench/results/**',
      'test/salesforce-checks/broken/**',
      '.tmp/**',
      'coverage/**',
    ],
  },
  // TypeScript: proxy, emulators, scripts, tests.
  ...tseslint.configs.recommended.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  architecture,
  // Lightning Web Components, with the Salesforce LWC rules.
  ...lwcRecommended.map((c) => ({ ...c, files: ['force-app/**/lwc/**/*.js'] })),
  // The local widget preview's stand-ins (lightning-* components, Apex) are LWC modules too.
  ...lwcRecommended.map((c) => ({
    ...c,
    files: ['test/lwc-preview/src/**/*.js'],
    ignores: ['test/lwc-preview/src/main.js'], // the page script, not a component
  })),
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/**/lwc/**/*.test.js'],
    plugins: { jest: jestPlugin },
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
    rules: { ...jestPlugin.configs.recommended.rules, '@lwc/lwc/no-async-operation': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ignores: ['force-app/**'],
    languageOptions: { globals: { ...globals.node } },
  },
];
