import { execFileSync, spawnSync } from 'node:child_process';
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

describe('bin/tap.js', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['bin/tap.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('runs synthesizing commands in a child with a single-threaded GC, passing output and exit code through', () => {
    const ok = run(['synth', '--env', 'dev', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ kind: 'synthesized', stackName: 'TapStack-dev' });
    const bad = run(['synth', '--env', 'BAD']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/invalid env name 'BAD'/);
  });
});
