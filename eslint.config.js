import globals from 'globals';
import tseslint from 'typescript-eslint';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const lwcRecommended = require('@salesforce/eslint-config-lwc').configs.recommended;
const jestPlugin = require('eslint-plugin-jest');

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
