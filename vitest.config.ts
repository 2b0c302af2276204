import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Files that mock modules (vi.mock / vi.unmock / spies on aws-cdk-lib prototypes) run isolated: a
 * fresh module graph per file. Every other file shares its worker's module graph with the files run
 * before it (`isolate: false`), so the SDK clients, the CLI's sources and aws-cdk-lib are loaded once
 * per worker instead of once per file; each test builds its own FakeAws and restores it, so no state
 * crosses files.
 */
const ISOLATED = ['test/synth.test.ts', 'test/synth-failure.test.ts', 'test/cfn-validate.test.ts', 'test/acknowledgements.test.ts'];

export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores: on a 2-core machine, one.
    maxWorkers: availableParallelism(),
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
    ],
    // The JSON report is what .ci/run counts from.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    // Enforced on every `npm test` (issue 7: lines and branches of src/ at least 90 %).
    coverage: { provider: 'v8', include: ['src/**'], reporter: ['text-summary'], thresholds: { lines: 90, statements: 90, branches: 90 } },
  },
});
