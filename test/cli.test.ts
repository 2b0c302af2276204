import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runTap } from './helpers/run-tap.js';

const cfn = mockClient(CloudFormationClient);
afterEach(() => cfn.reset());

describe('tap CLI', () => {
  it('prints help with examples and exit codes, and exits 0', async () => {
    const r = await runTap(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 the job failed, 2 bad input or usage, 3 AWS/);
    expect(r.stdout).toMatch(/synth \[options\]/);
    expect(r.stdout).toMatch(/diff \[options\]/);
  });

  it('prints the version', async () => {
    const r = await runTap(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [['synth'], /required option '-e, --env <name>'/],
    [['synth', '--env', 'dev', '--bogus'], /unknown option '--bogus'/],
    [['launch'], /unknown command 'launch'/],
    [['synth', '--env', 'Dev_1'], /invalid env name 'Dev_1'/],
    [['diff', '--env', 'a'.repeat(23)], /over AWS's limit of 32/],
  ])('exits 2 on bad usage: %j', async (argv, message) => {
    const r = await runTap(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('reports a bad env as the one JSON line on stdout with --json, keeping stderr empty', async () => {
    const r = await runTap(['synth', '--env', 'BAD', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'error', error: 'UsageError', message: expect.stringMatching(/^invalid env name 'BAD'/), exitCode: 2 });
  });

  it('synth --json --out writes the template and prints one JSON result', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tap-test-'));
    try {
      const r = await runTap(['synth', '--env', 'dev', '--json', '--out', out]);
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result).toMatchObject({ kind: 'synthesized', stackName: 'TapStack-dev', needsStaging: false, warnings: [] });
      expect(result.resources['AWS::Lambda::Function']).toBe(2);
      expect(result.outputs).toContain('ApiUrl');
      const file = JSON.parse(readFileSync(join(out, 'TapStack-dev.template.json'), 'utf8'));
      expect(Object.keys(file.Resources)).toHaveLength(result.resourceCount);
      expect(cfn.calls()).toHaveLength(0); // synth is offline
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('synth prints a human summary on stdout and progress on stderr', async () => {
    const r = await runTap(['synth', '--env', 'dev', '--no-color']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TapStack-dev: \d+ resources, [\d,]+ bytes \(within the 51,200-byte TemplateBody limit\)/);
    expect(r.stdout).toMatch(/AWS::XRay::Group\s+1/);
    expect(r.stderr).toContain('Synthesizing TapStack-dev');
    expect(r.stdout + r.stderr).not.toMatch(/\u001b\[/);
  });
});

describe('tap diff', () => {
  it('shows everything as added when the stack does not exist', async () => {
    cfn.on(GetTemplateCommand).rejects(Object.assign(new Error('Stack with id TapStack-dev does not exist'), { name: 'ValidationError', $metadata: {} }));
    const r = await runTap(['diff', '--env', 'dev', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ kind: 'differences', deployed: false });
    expect(result.resources.every((c: { action: string }) => c.action === 'add')).toBe(true);
    expect(cfn.commandCalls(GetTemplateCommand)[0]!.args[0].input).toEqual({ StackName: 'TapStack-dev', TemplateStage: 'Original' });
  });

  it('reports no differences against the same template, and a changed one with --fail exits 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tap-test-'));
    try {
      await runTap(['synth', '--env', 'dev', '--out', out]);
      const deployed = JSON.parse(readFileSync(join(out, 'TapStack-dev.template.json'), 'utf8'));
      cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(deployed) });
      const same = await runTap(['diff', '--env', 'dev', '--fail']);
      expect(same.code).toBe(0);
      expect(same.stdout).toContain('TapStack-dev: no differences from the deployed stack');

      const fn = Object.values(deployed.Resources as Record<string, { Type: string; Properties: { MemorySize?: number } }>).find(
        (r) => r.Type === 'AWS::Lambda::Function',
      )!;
      fn.Properties.MemorySize = 128;
      cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(deployed) });
      const changed = await runTap(['diff', '--env', 'dev', '--fail', '--json']);
      expect(changed.code).toBe(1);
      const result = JSON.parse(changed.stdout);
      expect(result).toMatchObject({ kind: 'differences', deployed: true, differenceCount: 1 });
      expect(result.resources).toEqual([expect.objectContaining({ type: 'AWS::Lambda::Function', action: 'modify' })]);
      expect(result.text).toMatch(/MemorySize/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('exits 3 with a hint when AWS refuses the credentials', async () => {
    cfn.on(GetTemplateCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException', $metadata: {} }));
    const r = await runTap(['diff', '--env', 'dev']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/UnrecognizedClientException: The security token/);
    expect(r.stderr).toMatch(/hint: Check credentials/);
  });
});

describe('tap diff without a region', () => {
  it('exits 3 before synthesizing or calling AWS', async () => {
    // The SDK reads the region from the process environment and shared config, so hide both.
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent');
    const r = await runTap(['diff', '--env', 'dev'], { env: { AWS_REGION: '' } });
    vi.unstubAllEnvs();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Region is missing/);
    expect(r.stderr).not.toContain('Synthesizing');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('exits 3 without credentials, before synthesizing', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const r = await runTap(['deploy', '--env', 'dev'], { credentials: false });
    vi.unstubAllEnvs();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/CredentialsProviderError: Could not load credentials from any providers\n.*hint: Check credentials/);
    expect(r.stderr).not.toContain('Synthesizing');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('treats an empty AWS_REGION as an environment problem (exit 3), not a failed job', async () => {
    vi.stubEnv('AWS_REGION', '');
    const r = await runTap(['diff', '--env', 'dev'], { env: { AWS_REGION: '' } });
    vi.unstubAllEnvs();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Region not accepted/);
  });
});
