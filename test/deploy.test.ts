import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POLL_MS } from '../src/deploy/monitor.js';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';


const STACK = 'TapStack-dep';
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const deploy = (...args: string[]) => runTap(['deploy', '--env', 'dep', ...args]);
const stack = () => fake.cloudFormation.stack(STACK);

/** Makes the deployed DLQ carry another name, so the next deploy replaces it. */
function renameDeployedQueue(): void {
  const s = stack()!;
  s.templateBody = s.templateBody.replace('"QueueName":"srv-dlq-dep"', '"QueueName":"srv-dlq-old"');
}

describe('tap deploy: stack states', () => {
  it('creates a new stack, one line per event without a TTY, and prints the outputs', async () => {
    const r = await deploy('--no-color');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TapStack-dep: CREATE_COMPLETE, 49 change\(s\) applied\nOutputs:\n/);
    expect(r.stdout).toContain('  EventBusName = srv-events-dep');
    expect(r.stderr).toContain('+ Add    DataBucketE3889A50 (AWS::S3::Bucket)');
    expect(r.stderr).toMatch(/… \[1\/49\] Key961B73FD CREATE_COMPLETE\n/);
    expect(r.stderr).toMatch(/… \[49\/49\] TraceGroup CREATE_COMPLETE\n… \[49\/49\] TapStack-dep CREATE_COMPLETE\n/);
  });

  it('every phase says what it waits for: the change set being created, then its execution before the first event', async () => {
    const lines = (await deploy('--no-color')).stderr.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^… Creating change set tap-\d+ \(CREATE\)$/)).toBeGreaterThan(-1);
    expect(at(/^… \[0\/49\] Executing change set tap-\d+ \(CREATE\) on TapStack-dep: waiting for CloudFormation's first event$/)).toBeGreaterThan(at(/^\+ Add {4}DataBucket/));
    expect(at(/^… \[1\/49\] /)).toBeGreaterThan(at(/Executing change set/));
  });

  it('creates over a REVIEW_IN_PROGRESS stack left by a change set that was never executed', async () => {
    fake.cloudFormation.createChangeSet({ StackName: STACK, ChangeSetName: 'abandoned', ChangeSetType: 'CREATE', TemplateBody: '{"Resources":{}}' }, () => '');
    expect(stack()?.status).toBe('REVIEW_IN_PROGRESS');
    const r = await deploy('--json');
    expect(r.code).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE' });
  });

  it('reports the root cause of a failed create, not the cancellations, then deletes and recreates on the next deploy', async () => {
    fake.cloudFormation.failNext = { logicalId: 'Handler886CB40B', reason: 'Resource handler returned message: "Runtime nodejs24.x is not supported"' };
    const failed = await deploy('--no-color');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe(
      'TapStack-dep: deployment failed, stack is ROLLBACK_COMPLETE\n' +
        'Root cause: Handler886CB40B (AWS::Lambda::Function) CREATE_FAILED: Resource handler returned message: "Runtime nodejs24.x is not supported"\n' +
        'The next `tap deploy --env dep` deletes the failed stack and creates it again.\n' +
        'API Gateway CloudWatch role: arn:aws:iam::123456789012:role/TapShared-apigw-logs-us-east-1 (created: TapShared CREATE_COMPLETE, shared by every env in this account and region)\n',
    );
    expect(failed.stderr).toContain('CREATE_FAILED: Resource creation cancelled');

    const again = await deploy('--json');
    expect(again.code).toBe(0);
    expect(ndjson(again.stdout).result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE' });
    expect(again.stdout).toMatch(/TapStack-dep is ROLLBACK_COMPLETE after a failed create; deleting it before creating it again/);
    expect(fake.calls).toContain('DeleteStack');
  });

  it('keeps a failed create with --no-rollback; the next deploy deletes it (CREATE_FAILED counts as a failed create)', async () => {
    fake.cloudFormation.failNext = { logicalId: 'DataBucketE3889A50', reason: 'srv-data-dep-123456789012-us-east-1 already exists' };
    const failed = await deploy('--no-rollback', '--json');
    expect(failed.code).toBe(1);
    expect(ndjson(failed.stdout).result).toMatchObject({ kind: 'failed', status: 'CREATE_FAILED', rootCause: { logicalId: 'DataBucketE3889A50' } });
    expect(fake.calls.filter((c) => c === 'ExecuteChangeSet')).toHaveLength(2); // TapShared, then the env
    const again = await deploy('--json');
    expect(ndjson(again.stdout).result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE' });
  });

  it('a failed create that cannot be deleted (data written meanwhile) stops with the reason and what to do', async () => {
    fake.cloudFormation.failNext = { logicalId: 'Handler886CB40B', reason: 'Runtime not supported' };
    expect((await deploy('--no-rollback')).code).toBe(1);
    fake.s3.putObject('srv-data-dep-123456789012-us-east-1', 'receipts/x.json', '{}');
    fake.resetCalls();
    const r = await deploy();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not delete the failed stack TapStack-dep: The bucket you tried to delete is not empty.*\n.*hint: run `tap destroy` for it, then deploy again/);
    expect(fake.calls).not.toContain('CreateChangeSet');
  });

  it('waits for an operation in progress; with --no-wait it says so and exits 1', async () => {
    const started = await deploy('--no-wait', '--json');
    expect(started.code).toBe(0);
    expect(ndjson(started.stdout).result).toMatchObject({ kind: 'started', changeSetName: expect.stringMatching(/^tap-\d{14}$/) });
    expect(stack()?.status).toBe('CREATE_IN_PROGRESS');

    const refused = await deploy('--no-wait');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/TapStack-dep is CREATE_IN_PROGRESS: another operation is running on it\n.*hint: run again without --no-wait/);

    const waited = await deploy('--no-color');
    expect(waited.code).toBe(0);
    expect(waited.stderr).toMatch(/TapStack-dep is CREATE_IN_PROGRESS; waiting for that operation to finish/);
    expect(waited.stderr).toMatch(/TapStack-dep CREATE_COMPLETE/);
    expect(waited.stdout).toMatch(/^TapStack-dep: no changes \(CREATE_COMPLETE\)/);
  });

  it.each([
    ['UPDATE_ROLLBACK_FAILED', /continue-update-rollback --stack-name TapStack-dep/],
    ['DELETE_FAILED', /tap destroy --env dep/],
  ])('stops on %s with the state and what to do, before any change set', async (status, hint) => {
    await deploy();
    stack()!.status = status;
    stack()!.statusReason = 'The following resource(s) failed: [Handler886CB40B]';
    fake.resetCalls();
    const r = await deploy();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`TapStack-dep is ${status} (The following resource(s) failed: [Handler886CB40B]); tap cannot deploy over it`);
    expect(r.stderr).toMatch(hint);
    expect(fake.calls).toEqual(['DescribeStacks']);
  });

  it('deletes an empty change set and reports no changes', async () => {
    await deploy();
    stack()!.status = 'UPDATE_FAILED'; // settled, but its stored template may not match its resources: no shortcut
    fake.resetCalls();
    const r = await deploy('--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'no-changes' });
    expect(fake.calls).toContain('DeleteChangeSet');
    expect(fake.calls).not.toContain('ExecuteChangeSet');
  });
});

describe('tap deploy: a complete stack without its outputs is not deployed', () => {
  // moto does this: ExecuteChangeSet answers 500, its retry 200, and the stack is CREATE_COMPLETE with no resources and no outputs.
  const dropOutputs = () => {
    const original = fake.cloudFormation.describeStacks.bind(fake.cloudFormation);
    fake.cloudFormation.describeStacks = (i) => {
      const answer = original(i);
      return { ...answer, Stacks: answer.Stacks.map((st) => ({ ...st, Outputs: (st.Outputs ?? []).filter((o) => o.OutputKey !== 'ApiUrl' && o.OutputKey !== 'EventBusName') })) };
    };
  };

  it('a create that ends CREATE_COMPLETE without the outputs fails (exit 1), naming them and how to start over; so does the no-change re-run', async () => {
    dropOutputs();
    const r = await deploy('--no-color');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TapStack-dep says CREATE_COMPLETE but lacks 2 of the template's outputs \((ApiUrl, EventBusName|EventBusName, ApiUrl)\)/);
    expect(r.stderr).toContain('tap destroy --env dep');
    expect(r.stdout).toBe('');
    const again = await deploy('--json');
    expect(again.code).toBe(1);
    expect(ndjson(again.stdout).result).toMatchObject({ kind: 'error', exitCode: 1, message: expect.stringMatching(/lacks 2 of the template's outputs/) });
  });

  it('the empty-change-set path checks them before it says "no changes" or changes termination protection', async () => {
    expect((await deploy()).code).toBe(0);
    dropOutputs();
    const s = stack()!;
    s.templateBody = JSON.stringify({ ...(JSON.parse(s.templateBody) as object), Description: 'not what tap synthesizes' }); // no match, no resource change
    fake.resetCalls();
    const r = await deploy('--termination-protection', '--no-color');
    expect(r.code).toBe(1);
    expect(fake.calls).toContain('DeleteChangeSet');
    expect(fake.calls).not.toContain('UpdateTerminationProtection');
    expect(r.stderr).not.toMatch(/no changes|already matches/);
    expect(r.stderr).toMatch(/lacks 2 of the template's outputs/);
  });
});

describe('tap deploy: approval of replacements and removals', () => {
  beforeEach(async () => {
    await deploy();
    renameDeployedQueue();
    fake.resetCalls();
  });

  it('refuses without a TTY and without --yes, deletes its change set, and changes nothing', async () => {
    const r = await deploy();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('~ Modify DlqD1FAA4AD (AWS::SQS::Queue) (replacement: True)');
    expect(r.stderr).toMatch(/1 change\(s\) replace or remove resources, and there is no terminal to ask; nothing was changed\n.*hint: .*--yes/);
    expect(fake.calls).toContain('DeleteChangeSet');
    expect(fake.calls).not.toContain('ExecuteChangeSet');
  });

  it('executes with --yes', async () => {
    const r = await deploy('--yes', '--json');
    expect(r.code).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'deployed', status: 'UPDATE_COMPLETE', changes: [{ logicalId: 'DlqD1FAA4AD', replacement: 'True' }] });
  });

  it('asks on a TTY: "y" executes', async () => {
    const r = await runTap(['deploy', '--env', 'dep', '--no-color'], { tty: true, answers: ['y'] });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Execute change set tap-');
    expect(stack()?.status).toBe('UPDATE_COMPLETE');
  });

  it('asks on a TTY: anything else declines, exit 130, change set deleted', async () => {
    const r = await runTap(['deploy', '--env', 'dep'], { tty: true, answers: ['no'] });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Declined: change set tap-\d+ was deleted and nothing changed/);
    expect(fake.calls).not.toContain('ExecuteChangeSet');
  });
});

describe('tap deploy: options and interruption', () => {
  it.each([
    [['--tag', 'novalue'], /invalid --tag 'novalue': expected KEY=VALUE/],
    [['--tag', 'aws:owner=x'], /the key 'aws:owner' is reserved/],
    [['--tag', 'a=1', '--tag', 'a=2'], /--tag 'a' is given twice/],
    [['--outputs-file', '/no/such/dir/out.json'], /directory \/no\/such\/dir does not exist/],
  ])('rejects %j with exit 2 before any AWS call', async (args, message) => {
    const r = await deploy(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.calls).toEqual([]);
  });

  it('sets and clears termination protection, also when nothing else changes', async () => {
    await deploy('--termination-protection');
    expect(stack()?.terminationProtection).toBe(true);
    const off = await deploy('--no-termination-protection', '--json');
    expect(JSON.parse(off.stdout)).toMatchObject({ kind: 'no-changes' });
    expect(stack()?.terminationProtection).toBe(false);
  });

  it('Ctrl-C while following stops watching, leaves the stack alone, says how to resume, exits 130', async () => {
    const interrupt = new AbortController();
    const sleep = async (ms: number) => {
      if (ms === POLL_MS) interrupt.abort();
    };
    fake.apiGatewayAccount.cloudwatchRoleArn = 'arn:aws:iam::123456789012:role/ops-apigw-logs'; // no shared stack to deploy first
    const r = await runTap(['deploy', '--env', 'dep'], { signal: interrupt.signal, sleep });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Stopped watching TapStack-dep; CloudFormation goes on with the operation\.\n.*hint: run the same tap command again to wait for it/);
    expect(stack()?.status).toBe('CREATE_IN_PROGRESS');
    expect(fake.calls).not.toContain('DeleteStack');
    const resumed = await deploy();
    expect(resumed.code).toBe(0);
    expect(stack()?.status).toBe('CREATE_COMPLETE');
  });
});
