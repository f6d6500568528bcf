// LWC Jest configuration, used by `sfdx-lwc-jest` (which detects this file at the repo root).
// The package is ESM ("type": "module"), so this file is ESM too; Jest 29 loads it with import().
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

export default {
  ...jestConfig,
  // Without `roots`, Jest's default testMatch would also pick up the proxy's vitest files
  // (`*.test.ts`) and the temp SFDX projects the check tests write under `.tmp/`.
  roots: ['<rootDir>/force-app'],
  testPathIgnorePatterns: [...jestConfig.testPathIgnorePatterns, '<rootDir>/.tmp/'],
};
