import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('startup', () => {
  it('tap --help loads neither aws-cdk-lib nor any AWS SDK client', () => {
    // The hook prints every module URL that the built CLI resolves.
    const out = execFileSync(process.execPath, ['--import', './test/helpers/trace-loads.mjs', 'bin/tap.js', '--help'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const loaded = out.split('\n').filter((l) => l.startsWith('loaded '));
    expect(loaded.some((l) => l.includes('/dist/cli.js'))).toBe(true); // the hook works
    expect(loaded.filter((l) => /node_modules\/(aws-cdk-lib|@aws-sdk|cdk-nag|@aws-cdk)\//.test(l))).toEqual([]);
  });
});
