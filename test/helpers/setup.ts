import { createRequire } from 'node:module';
import { afterAll, vi } from 'vitest';
import { FakeAws } from '../fake-aws/index.js';

// sinon as aws-sdk-client-mock requires it (CommonJS): its ESM build is another copy with another default sandbox.
const sinon = createRequire(import.meta.url)('sinon') as typeof import('sinon');

// vitest.config.ts: setupFiles, run before each test file.

// CloudFormation validation's engine takes seconds of WebAssembly to start. test/cfn-validate.test.ts
// runs the real engine (in-process and in the built worker) on the real template; in every other
// file a template is validated by a stand-in that finds nothing, so that a test that synthesizes
// pays the build, not the engine.
vi.mock('../../src/stack/cfn-validate.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/stack/cfn-validate.js')>()),
  startValidator: vi.fn(() => ({ validate: vi.fn(() => Promise.resolve([])), close: () => Promise.resolve() })),
}));

// Most files share their worker's modules (vitest.config.ts), so a stub a file left on an SDK
// client would answer the SDK calls of the next file's tests. After each file: every fake goes
// (FakeAws.restoreAll), and every other aws-sdk-client-mock stub (they are made in sinon's default
// sandbox). After the file, not after each test: some files stub once for all their tests.
afterAll(() => {
  FakeAws.restoreAll();
  sinon.restore();
});
