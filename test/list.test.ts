import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';

vi.mock('../src/stack/synth.js', async (importOriginal) => (await import('./helpers/memo-synth.js')).memoSynth(importOriginal));

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
    const { envs } = JSON.parse(json.stdout) as { envs: { env: string; status: string; apiUrl: string }[] };
    expect(envs.map((e) => [e.env, e.status])).toEqual([
      ['dev', 'CREATE_COMPLETE'],
      ['prod', 'CREATE_COMPLETE'],
    ]);
    expect(envs[0]?.apiUrl).toMatch(/^https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com\/dev\/$/);
    expect(fake.calls.filter((c) => c === 'DescribeStacks').length).toBeGreaterThan(1);
    const human = await runTap(['list']);
    expect(human.stdout).toMatch(/^ENV {3}STATUS {11}LAST UPDATED {14}API URL\ndev {3}CREATE_COMPLETE {2}2026-11-25T\S+ {2}https:/);
  });

  it('says so when there is none', async () => {
    const r = await runTap(['list']);
    expect(r).toMatchObject({ code: 0, stdout: 'no tap envs in this account and region\n' });
  });
});
