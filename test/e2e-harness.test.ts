import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The e2e suite's own harness (test/e2e/run.js), without AWS: how it decides to run, and that destroy
// and the final check run after a failed step. Against AWS itself it runs only by `npm run test:e2e`.
const home = mkdtempSync(join(tmpdir(), 'tap-e2e-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'TAP_E2E_SKIP'));
const e2e = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['test/e2e/run.js'], { cwd: join(import.meta.dirname, '..'), env: { ...clean, HOME: home, ...env }, encoding: 'utf8', timeout: 60_000 });
const aws = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

describe('npm run test:e2e without AWS', () => {
  it('with no region or credentials: one line saying so, exit 0', () => {
    const r = e2e({});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('e2e: no AWS configured (set AWS_REGION and credentials or AWS_PROFILE; AWS_ENDPOINT_URL for an emulator): nothing run\n');
  });

  it('an unknown step in TAP_E2E_SKIP is an error, before anything runs', () => {
    const r = e2e({ ...aws, TAP_E2E_SKIP: 'verify,canary' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/TAP_E2E_SKIP: unknown step 'canary' \(steps: synth, deploy, deploy-again, verify, trace, status, replay, destroy, gone\)/);
    expect(r.stdout).toBe('');
  });

  it('after a failed deploy, destroy and the no-stack-left check still run; the table says what was skipped; exit 1', () => {
    // Port 9 (discard) on loopback: nothing listens, so every AWS call is refused at once.
    const r = e2e({ ...aws, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', TAP_E2E_SKIP: 'synth,deploy-again,verify,trace,status,replay' });
    expect(r.status).toBe(1);
    const rows = Object.fromEntries(
      r.stdout
        .split('\n')
        .map((l) => /^(pass|fail|skipped)\s+(\S+)\s/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[2], m[1]]),
    );
    expect(rows).toEqual({ synth: 'skipped', deploy: 'fail', 'deploy-again': 'skipped', verify: 'skipped', trace: 'skipped', status: 'skipped', replay: 'skipped', destroy: 'fail', gone: 'fail' });
    expect(r.stdout).toMatch(/^e2e env: e2e-[0-9a-z]{6} \(region us-east-1, endpoint http:\/\/127\.0\.0\.1:9\)$/m);
    expect(r.stdout).toMatch(/deploy failed \(exit 3: cannot reach the CloudFormation endpoint http:\/\/127\.0\.0\.1:9 \(DescribeStacks\): ECONNREFUSED\)/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 3 failed, 6 skipped');
  });
});
