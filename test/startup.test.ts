import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, NO_COLOR: '1', TAP_CACHE_DIR: inject('tapCacheDir') };

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

  it.each([
    [['synth', '--env', 'dev', '--json']],
    [['synth', '--env', 'BAD']],
    [['--region', 'eu-west-1', 'deploy', '--env', 'BAD']],
    [['synth', '--help']],
  ])('%j runs in one Node.js process', (args) => {
    // Through NODE_OPTIONS the hook reaches any Node.js child too: each process loads dist/cli.js once.
    const r = spawnSync(process.execPath, ['bin/tap.js', ...args], {
      cwd: root,
      env: { ...env, NODE_OPTIONS: '--import=./test/helpers/trace-loads.mjs' },
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n').filter((l) => l.startsWith('loaded ') && l.endsWith('/dist/cli.js'))).toHaveLength(1);
  });
});

/** Starts bin/tap.js as the leader of its own process group (as a shell starts a job) and waits for `ready` on stderr. */
function started(args: string[], ready: RegExp): Promise<{ pid: number; ended: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> }> {
  const child = spawn(process.execPath, ['bin/tap.js', ...args], { cwd: root, env: { ...env, AWS_REGION: 'us-east-1' }, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const ended = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (ready.test(stderr)) resolve({ pid: child.pid!, ended });
    });
    void ended.then((e) => reject(new Error(`ended before ${ready}: ${JSON.stringify(e)}`)));
  });
}

describe('bin/tap.js', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['bin/tap.js', ...args], { cwd: root, encoding: 'utf8', env });

  it('synthesizes: the result on stdout and 0; a bad env name exits 2', () => {
    const ok = run(['synth', '--env', 'dev', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ kind: 'synthesized', stackName: 'TapStack-dev' });
    const bad = run(['synth', '--env', 'BAD']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/invalid env name 'BAD'/);
  });

  it('Ctrl-C while synthesizing ends it at once with 130 (the build runs off the main thread)', async () => {
    const { pid, ended } = await started(['synth', '--env', 'sigint', '--no-cache'], /Synthesizing/);
    process.kill(-pid, 'SIGINT'); // the terminal sends it to the whole foreground process group
    const r = await ended;
    expect([r.code, r.stdout]).toEqual([130, '']);
    expect(r.stderr).toMatch(/Interrupted \(Ctrl-C\)/);
  });

  it('SIGTERM to tap alone (as a process manager sends it) ends a synth with 143', async () => {
    const { pid, ended } = await started(['synth', '--env', 'sigterm', '--no-cache'], /Synthesizing/);
    process.kill(pid, 'SIGTERM');
    const r = await ended;
    expect([r.code, r.stdout]).toEqual([143, '']);
    expect(r.stderr).toMatch(/Terminated \(SIGTERM\)/);
  });
});
