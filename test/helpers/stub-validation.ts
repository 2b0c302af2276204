import { vi } from 'vitest';

// CloudFormation validation's engine takes seconds of WebAssembly to start. test/cfn-validate.test.ts
// runs the real engine (in-process and in the built worker) on the real template; in every other
// file a template is validated by a stand-in that finds nothing, so that a test that synthesizes
// pays the build, not the engine. (vitest.config.ts: setupFiles.)
vi.mock('../../src/stack/cfn-validate.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/stack/cfn-validate.js')>()),
  startValidator: vi.fn(() => ({ validate: vi.fn(() => Promise.resolve([])), close: () => Promise.resolve() })),
}));
