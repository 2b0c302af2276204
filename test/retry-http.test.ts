import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLoopbackCloudFormation } from '../bench/loopback-cfn.js';
import { synthesize } from '../src/stack/synth.js';
import { VERSION } from '../src/version.js';
import { runTap } from './helpers/run-tap.js';

let server: Awaited<ReturnType<typeof startLoopbackCloudFormation>>;
beforeAll(async () => {
  // Real HTTP: the SDK signs with these and sends to the loopback endpoint, nowhere else.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOOPBACK');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'loopback');
  vi.stubEnv('AWS_PROFILE', '');
  const { templateBody } = await synthesize('loop', VERSION);
  server = await startLoopbackCloudFormation({
    stackName: 'TapStack-loop',
    template: templateBody,
    tags: { 'tap:env': 'loop' },
    faults: { DescribeStacks: ['Throttling', 'ServiceUnavailable'], GetTemplate: ['InternalFailure'] },
  });
});
afterAll(async () => {
  await server.close();
  vi.unstubAllEnvs();
});

describe('SDK retries over real HTTP (--endpoint-url on loopback)', () => {
  it('retries throttling and 5xx answers, and the no-op deploy still succeeds', async () => {
    const r = await runTap(['deploy', '--env', 'loop', '--endpoint-url', server.url, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'no-changes', status: 'CREATE_COMPLETE', outputs: { ApiUrl: 'https://api.example/dev/' } });
    expect(server.requests).toEqual(['DescribeStacks', 'DescribeStacks', 'DescribeStacks', 'GetTemplate', 'GetTemplate', 'GetAccount']);
  });

  it('does not retry a 4xx validation error, and reports it as the call that failed (exit 1, not an access problem)', async () => {
    server.requests.length = 0;
    const r = await runTap(['destroy', '--env', 'loop', '--endpoint-url', server.url, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CloudFormation DescribeStackResources: ValidationError: DescribeStackResources is not served by the loopback endpoint/);
    expect(server.requests.filter((a) => a === 'DescribeStackResources')).toHaveLength(1);
  });
});
