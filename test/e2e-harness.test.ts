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
    expect(r.stdout).toMatch(/deploy failed \(exit 3: cannot reach the CloudFormation endpoint http:\/\/127\.0\.0\.1:9 \(DescribeStacks\): ECONNREFUSED/);
    expect(r.stdout).toMatch(/destroy failed \(exit 3: cannot reach the CloudFormation endpoint http:\/\/127\.0\.0\.1:9 \(DescribeStacks\): ECONNREFUSED/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 3 failed, 6 skipped');
  });
});

// What the steps demand of tap's results (test/e2e/assert.js), on results shaped as tap prints them.
describe('the e2e steps: what they accept', async () => {
  const { checkDeploy, checkDestroy, checkStatus, reason, STACK_OUTPUTS } = await import('./e2e/assert.js');
  const { OUTPUTS } = await import('../src/stack/spec.js');
  const outputs = Object.fromEntries(STACK_OUTPUTS.map((k: string) => [k, `value-of-${k}`]));
  const deployed = (extra: object) => ({ code: 0, stderr: '', result: { kind: 'deployed', status: 'CREATE_COMPLETE', changes: [{}, {}], outputs, ...extra } });
  const line = (id: string, health = 'green') => ({ id, health, summary: `${id} summary`, rule: `${health}: ${id} rule` });
  const ids = ['stack', 'api', 'xray', 'dlq', 'archive', 'replays', 'receipts'];
  const status = (code: number, lines = ids.map((id) => line(id))) => ({ code, stderr: '', result: { kind: 'status', lines } });

  it('names the stack outputs that verify and status read', () => {
    expect([...STACK_OUTPUTS].sort()).toEqual(Object.values(OUTPUTS).sort());
  });

  it('deploy: an empty stack (no outputs) is a failure, as is one missing an output; a whole one passes', () => {
    expect(() => checkDeploy(deployed({ outputs: {} }))).toThrow('deploy says CREATE_COMPLETE, but the stack has none of its outputs: it is empty (no resource was created)');
    expect(() => checkDeploy(deployed({ outputs: { ...outputs, DlqUrl: undefined, ApiUrl: '' } }))).toThrow('outputs are missing: ApiUrl, DlqUrl');
    expect(() => checkDeploy(deployed({ changes: [] }))).toThrow('deploy says CREATE_COMPLETE with no resource changes');
    expect(checkDeploy(deployed({}))).toBe('CREATE_COMPLETE: 2 resource changes, all 11 outputs (API value-of-ApiUrl)');
    expect(() => checkDeploy({ code: 1, stderr: '', result: { kind: 'failed', status: 'ROLLBACK_COMPLETE' } })).toThrow(/^deploy ended failed \(exit 1: /);
  });

  it('status after a green verify: every line green and exit 0, or the step names each line that is not and its rule', () => {
    expect(checkStatus(status(0), true)).toBe('all 7 lines green after a green verify');
    const lines = ids.map((id) => line(id, id === 'receipts' ? 'amber' : id === 'dlq' ? 'red' : 'green'));
    expect(() => checkStatus(status(1, lines), true)).toThrow('not green: dlq red: dlq summary (red: dlq rule); receipts amber: receipts summary (amber: receipts rule)');
    expect(() => checkStatus(status(1), true)).toThrow(/^status exit 1 with no red line/);
    expect(() => checkStatus(status(0, ids.slice(1).map((id) => line(id))), true)).toThrow('status showed 6 lines, expected 7');
    expect(() => checkStatus({ code: 3, stderr: '', result: undefined }, true)).toThrow(/^status printed no result/);
  });

  it('status without a green verify: only receipts may be amber (nothing was delivered); red is never accepted', () => {
    const amber = ids.map((id) => line(id, id === 'receipts' ? 'amber' : 'green'));
    expect(checkStatus(status(0, amber), false)).toBe('6 of 7 lines green (receipts amber: verify did not run, so nothing was delivered)');
    expect(() => checkStatus(status(0, amber), true)).toThrow('not green: receipts amber');
    const red = ids.map((id) => line(id, id === 'receipts' ? 'red' : 'green'));
    expect(() => checkStatus(status(1, red), false)).toThrow('not green: receipts red');
  });

  it('destroy: DELETE_FAILED shows its causes; an error shows what tap said, in one readable line', () => {
    const failed = { code: 1, stderr: '', result: { kind: 'failed', status: 'DELETE_FAILED', causes: [{ logicalId: 'DataBucket', type: 'AWS::S3::Bucket', status: 'DELETE_FAILED', reason: 'The bucket you tried to delete is not empty' }] } };
    expect(() => checkDestroy(failed)).toThrow('destroy ended DELETE_FAILED: DataBucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty');
    const sdkNoise = 'Error: @aws-sdk XML parse error: mismatched tags <html> and </title>.\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
    const result = { kind: 'error', error: 'AwsError', message: sdkNoise, hint: 'check --endpoint-url', exitCode: 3 };
    expect(() => checkDestroy({ code: 3, stderr: '', result })).toThrow(
      'destroy failed (exit 3: Error: @aws-sdk XML parse error: mismatched tags <html> and </title>. (the endpoint answered something that is not an AWS response); check --endpoint-url)',
    );
    expect(checkDestroy({ code: 0, stderr: '', result: { kind: 'destroyed', objectsRemoved: 2206, attempts: 2 } })).toBe('destroyed: 2206 object version(s) removed, after 2 attempts');
    expect(checkDestroy({ code: 0, stderr: '', result: { kind: 'nothing-to-destroy' } })).toBe('nothing to destroy (the stack was never created)');
  });

  it("reason: the human reporter's last line without its mark, or a note that nothing was printed", () => {
    expect(reason({ code: 1, stderr: 'Reading the template\n✖ TapStack-x is UPDATE_ROLLBACK_FAILED\n' })).toBe('TapStack-x is UPDATE_ROLLBACK_FAILED');
    expect(reason({ code: 139, stderr: '' })).toBe('no error printed (exit 139)');
    expect(reason({ code: 3, stderr: '', result: { kind: 'error', message: 'no region', hint: 'set AWS_REGION' } })).toBe('no region; set AWS_REGION');
  });
});
