import { defineConfig } from 'vitest/config';

// Timing runs for `npm run bench` that need the in-memory AWS fake (TypeScript); not part of npm test.
export default defineConfig({
  test: {
    include: ['bench/**/*.timing.ts'],
    // As in npm test: a temporary synth cache, and a stand-in for the validation engine.
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['dot'],
  },
});
