import { defineConfig } from 'vitest/config';

// One vitest run covers the proxy's unit and HTTP tests and the emulators' own suites.
// LWC Jest tests live under force-app/ and run through sfdx-lwc-jest instead.
export default defineConfig({
  test: {
    include: ['proxy/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'force-app/**', 'proxy/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
