import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackCloudFormation } from '../bench/loopback-cfn.js';

// The built CLI against a CloudFormation endpoint on loopback (real HTTP, so the SDK's middleware
// and logger run): what --verbose shows, and --profile acting as AWS_PROFILE does.
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tap-verbose-'));
let endpoint: Awaited<ReturnType<typeof startLoopbackCloudFormation>>;
beforeAll(async () => {
  endpoint = await startLoopbackCloudFormation({ stackName: 'TapStack-vrb', template: '{"Resources":{}}', tags: { 'tap:env': 'vrb' } });
});
afterAll(async () => {
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
/** Asynchronous: the loopback endpoint answers from this process while tap runs. */
function tap(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/tap.js', ...args], { cwd: root, env: { ...clean, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const keys = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' };

describe('--verbose', () => {
  it('shows the resolved region, endpoint and profile, where the credentials came from, and each AWS call with its status and time', async () => {
    const r = await tap(['list', '--endpoint-url', endpoint.url, '--verbose'], keys);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `· AWS: region us-east-1 (AWS_REGION), endpoint ${endpoint.url} (--endpoint-url), profile default (default), CA bundle Node's, 5 attempts (tap default), adaptive retries (tap default), timeouts 5 s to connect, 15 s without an answer\n`,
    );
    expect(r.stderr).toMatch(/· @aws-sdk\/credential-provider-env - fromEnv\n/);
    expect(r.stderr).toMatch(/· CloudFormation DescribeStacks: HTTP 200 in \d+ ms\n/);
    const quiet = await tap(['list', '--endpoint-url', endpoint.url], keys);
    expect(quiet.stderr).toBe('');
  });

  it("the SDK's warnings go through tap's reporter: under --json an event on stdout, nothing on stderr", async () => {
    const r = await tap(['list', '--endpoint-url', endpoint.url, '--json'], { ...keys, AWS_PROFILE: 'default', AWS_CONFIG_FILE: join(dir, 'none') });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; level?: string; text?: string; kind?: string; data?: { line?: string } });
    expect(lines.at(-1)?.kind).toBeDefined();
    const warning = lines.find((l) => l.type === 'event' && l.level === 'warn' && /Multiple credential sources detected/.test(l.data?.line ?? ''));
    expect(warning?.text).toBe('both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: the SDK uses the profile');
  });
});

describe('--profile NAME acts as AWS_PROFILE=NAME', () => {
  it("takes the profile's region, credentials and endpoint_url", async () => {
    const config = join(dir, 'config');
    writeFileSync(config, `[profile emu]\nregion = eu-west-1\nendpoint_url = ${endpoint.url}\naws_access_key_id = a\naws_secret_access_key = b\n`);
    const r = await tap(['list', '--profile', 'emu', '--verbose', '--json'], { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ kind: 'envs', envs: [expect.objectContaining({ env: 'vrb' })] });
    expect(r.stderr).toContain(`region eu-west-1 (profile emu: region), endpoint ${endpoint.url} (profile emu: endpoint_url), profile emu (--profile)`);
    expect(r.stderr).toContain('CloudFormation DescribeStacks: HTTP 200');
  });

  it("is read by tap config, not by an offline command that needs nothing of it (synth)", async () => {
    const config = join(dir, 'config-offline');
    writeFileSync(config, `[profile emu]\nregion = eu-west-1\nendpoint_url = ${endpoint.url}\n`);
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
    const shown = await tap(['config', '--env', 'vrb', '--profile', 'emu', '--json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ settings: { region: { value: 'eu-west-1', from: 'profile emu: region' }, endpoint: { value: endpoint.url, from: 'profile emu: endpoint_url' } } });
    const synth = await tap(['synth', '--env', 'vrb', '--profile', 'emu', '--verbose'], env);
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stderr).toContain("AWS: region none (not in --region, tap.config.json, AWS_REGION or profile emu), endpoint AWS's public one");
  });

  it('an error the profile causes names it', async () => {
    const r = await tap(['list', '--profile', 'nope', '--region', 'us-east-1'], { AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no credentials from profile 'nope' .*\n {2}hint: check that profile 'nope' exists/);
    const noRegion = await tap(['list', '--profile', 'nope'], { AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') });
    expect([noRegion.code, noRegion.stderr]).toEqual([3, expect.stringMatching(/no AWS region: profile 'nope' .* sets none, and neither --region nor AWS_REGION is given/)]);
  });
});
