import { afterAll, vi } from 'vitest';
import { FakeAws } from '../fake-aws/index.js';

// vitest.config.ts: setupFiles, run before each test file.

// CloudFormation validation's engine takes seconds of WebAssembly to start. test/cfn-validate.test.ts
// runs the real engine (in-process and in the built worker) on the real template; in every other
// file a template is validated by a stand-in that finds nothing, so that a test that synthesizes
// pays the build, not the engine.
vi.mock('../../src/stack/cfn-validate.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/stack/cfn-validate.js')>()),
  startValidator: vi.fn(() => ({ validate: vi.fn(() => Promise.resolve([])), close: () => Promise.resolve() })),
}));

// Most files share their worker's modules (vitest.config.ts), so a fake a file left installed
// would answer the SDK calls of the next file's tests. (After the file, not after each test: some
// files install one fake for all their tests.)
afterAll(() => FakeAws.restoreAll());
