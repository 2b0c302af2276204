import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // vitest's default is one worker fewer than the cores: on a 2-core machine, one.
    maxWorkers: availableParallelism(),
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/stub-validation.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The JSON report is what .ci/run counts from.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    // Enforced on every `npm test` (issue 7: lines and branches of src/ at least 90 %).
    coverage: { provider: 'v8', include: ['src/**'], reporter: ['text-summary'], thresholds: { lines: 90, statements: 90, branches: 90 } },
  },
});
