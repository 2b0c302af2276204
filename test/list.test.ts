import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';


let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('tap list', () => {
  it('lists every TapStack-* env across pages, sorted, and nothing else', async () => {
    for (const env of ['prod', 'dev']) expect((await runTap(['deploy', '--env', env])).code).toBe(0);
    fake.cloudFormation.createChangeSet({ StackName: 'SomeOtherStack', ChangeSetName: 'x', ChangeSetType: 'CREATE', TemplateBody: '{"Resources":{}}' }, () => '');
    const json = await runTap(['list', '--json']);
    expect(json.code).toBe(0);
    const { envs, shared } = JSON.parse(json.stdout) as { envs: { env: string; status: string; apiUrl: string }[]; shared?: { stackName: string; status: string } };
    // The shared stack the first deploy created is not an env: it has a field of its own.
    expect(shared).toMatchObject({ stackName: 'TapShared', status: 'CREATE_COMPLETE' });
    expect(envs.map((e) => [e.env, e.status])).toEqual([
      ['dev', 'CREATE_COMPLETE'],
      ['prod', 'CREATE_COMPLETE'],
    ]);
    expect(envs[0]?.apiUrl).toMatch(/^https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com\/dev\/$/);
    expect(fake.calls.filter((c) => c === 'DescribeStacks').length).toBeGreaterThan(1);
    const human = await runTap(['list']);
    expect(human.stdout).toMatch(/^ENV {3}STATUS {11}LAST UPDATED {14}API URL\ndev {3}CREATE_COMPLETE {2}2026-11-25T\S+ {2}https:/);
    expect(human.stdout).toMatch(/\nprod .*\nShared: TapShared CREATE_COMPLETE, last updated 2026-11-25T\S+ \(API Gateway's CloudWatch role for every env here; tap destroy leaves it\)\n$/);
  });

  it('says so when there is none', async () => {
    const r = await runTap(['list']);
    expect(r).toMatchObject({ code: 0, stdout: `no tap envs in account ${fake.account}, region us-east-1\n` });
    expect(JSON.parse((await runTap(['list', '--json'])).stdout)).toEqual({ kind: 'envs', account: fake.account, region: 'us-east-1', envs: [] });
    expect((await runTap(['list', '--region', 'eu-west-1'])).stdout).toBe(`no tap envs in account ${fake.account}, region eu-west-1\n`);
  });

  it('shows the shared stack on its own line when it outlives every env', async () => {
    expect((await runTap(['deploy', '--env', 'solo'])).code).toBe(0);
    expect((await runTap(['destroy', '--env', 'solo', '--yes'])).code).toBe(0);
    const r = await runTap(['list']);
    expect(r.stdout).toMatch(new RegExp(`^no tap envs in account ${fake.account}, region us-east-1\\nShared: TapShared CREATE_COMPLETE, `));
    expect(JSON.parse((await runTap(['list', '--json'])).stdout)).toMatchObject({ envs: [], shared: { stackName: 'TapShared' } });
  });
});

describe('tap list: sparse DescribeStacks answers', () => {
  it('a stack without status or times, a deleted one, one without a name, and a bare TapShared', async () => {
    fake.restore();
    const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const { mockClient } = await import('aws-sdk-client-mock');
    const cfn = mockClient(CloudFormationClient);
    try {
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [
          { StackName: 'TapStack-bare', CreationTime: undefined, StackStatus: undefined },
          { StackName: 'TapStack-gone', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date(0) } as never,
          { StackName: undefined, StackStatus: 'CREATE_COMPLETE' } as never,
          { StackName: 'TapShared' } as never,
        ],
      });
      const r = await runTap(['list', '--json']);
      expect(JSON.parse(r.stdout)).toEqual({
        kind: 'envs',
        region: 'us-east-1',
        envs: [{ env: 'bare', stackName: 'TapStack-bare', status: 'UNKNOWN' }],
        shared: { stackName: 'TapShared', status: 'UNKNOWN' },
      });
      const human = await runTap(['list']);
      expect(human.stdout).toBe('ENV   STATUS   LAST UPDATED  API URL\nbare  UNKNOWN  -             -\nShared: TapShared UNKNOWN, last updated - (API Gateway\'s CloudWatch role for every env here; tap destroy leaves it)\n');
    } finally {
      cfn.restore();
      fake = new FakeAws().install();
    }
  });
});
