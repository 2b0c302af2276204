import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { synthesize } from '../src/stack/synth.js';
import { VERSION } from '../src/version.js';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';


const OURS = 'arn:aws:iam::123456789012:role/TapShared-apigw-logs-us-east-1';
const THEIRS = 'arn:aws:iam::123456789012:role/platform-apigw-logs';
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const deploy = (env: string, ...args: string[]) => runTap(['deploy', '--env', env, ...args]);
/** The stacks change sets were created for, in order. */
const changeSetStacks = () => fake.cloudFormation.changeSetLog;

/**
 * An env as a tap before the shared stack deployed it: the same template plus the account setting
 * and its own CloudWatch role (aws-cdk-lib's RestApi `cloudWatchRole: true`), ahead of the stage.
 */
async function deployLegacy(env: string): Promise<void> {
  const cf = fake.cloudFormation;
  const template = JSON.parse(legacyBody[env] ?? '') as { Resources: Record<string, unknown> };
  template.Resources = {
    ApiCloudWatchRole73EC6FC4: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }] } } },
    ApiAccountA18C9B29: { Type: 'AWS::ApiGateway::Account', Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': ['ApiCloudWatchRole73EC6FC4', 'Arn'] } } },
    ...template.Resources,
  };
  const { Id } = cf.createChangeSet({ StackName: `TapStack-${env}`, ChangeSetName: 'legacy', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Tags: [{ Key: 'tap:env', Value: env }] }, () => '');
  await fake.advance(1000); // the change set is computed meanwhile
  cf.executeChangeSet({ ChangeSetName: Id });
  cf.settle(`TapStack-${env}`);
  expect(cf.stack(`TapStack-${env}`)?.status).toBe('CREATE_COMPLETE');
}
const legacyBody: Record<string, string> = {};

describe("tap deploy: API Gateway's account role", () => {
  beforeAll(async () => {
    for (const env of ['old', 'other']) legacyBody[env] = (await synthesize(env, VERSION)).templateBody;
  });

  it('an env stage that logs cannot be created while the account names no role: that is why the shared step runs first', async () => {
    const { templateBody } = await synthesize('ord', VERSION);
    const cf = fake.cloudFormation;
    const { Id } = cf.createChangeSet({ StackName: 'TapStack-ord', ChangeSetName: 'direct', ChangeSetType: 'CREATE', TemplateBody: templateBody }, () => '');
    await fake.advance(1000); // the change set is computed meanwhile
    cf.executeChangeSet({ ChangeSetName: Id });
    cf.settle('TapStack-ord');
    expect(cf.stack('TapStack-ord')?.status).toBe('ROLLBACK_COMPLETE');
    const events: { ResourceType?: string; ResourceStatus?: string; ResourceStatusReason?: string }[] = [];
    let token: string | undefined;
    do {
      const page = cf.describeStackEvents({ StackName: 'TapStack-ord', NextToken: token });
      events.push(...page.StackEvents);
      token = page.NextToken;
    } while (token);
    const failed = events.find((e) => e.ResourceType === 'AWS::ApiGateway::Stage' && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toMatch(/CloudWatch Logs role ARN must be set in account settings to enable logging/);
  });

  it('in an account without a role: deploys TapShared first (through a change set), then the env, and says so', async () => {
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBeUndefined();
    const r = await deploy('one', '--json');
    expect(r.code).toBe(0);
    const { result, events } = ndjson(r.stdout);
    expect(result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE', accountRole: { kind: 'shared-stack-deployed', stackName: 'TapShared', roleArn: OURS, status: 'CREATE_COMPLETE' } });
    expect(r.stderr).toBe(''); // the shared step's messages are info and success: not on stderr without --verbose
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(OURS);
    expect(fake.cloudFormation.stack('TapShared')?.status).toBe('CREATE_COMPLETE');
    expect(fake.cloudFormation.stack('TapShared')?.tags).toEqual({ 'tap:shared': 'true' });
    // GetAccount before anything else; the shared stack's change set before the env's.
    expect(fake.calls.indexOf('GetAccount')).toBeLessThan(fake.calls.indexOf('CreateChangeSet'));
    expect(changeSetStacks()).toEqual(['TapShared', 'TapStack-one']);
    // The shared stack's events stream like the env's: it is followed by the same monitor.
    expect(events.some((e) => (e.data as { logicalId: string }).logicalId === 'TapShared')).toBe(true);
    // The typed messages say the same (stderr, with --verbose under --json).
    const verbose = await deploy('three', '--json', '--verbose');
    const messages = verbose.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { code: string; data?: unknown });
    expect(messages.find((m) => m.code === 'deploy.account-role')?.data).toEqual({ kind: 'in-place', roleArn: OURS, owner: 'tap-shared', stack: 'TapShared' });
    const human = await deploy('two', '--no-color');
    expect(human.stdout).toMatch(/\nAPI Gateway CloudWatch role: arn:aws:iam::123456789012:role\/TapShared-apigw-logs-us-east-1 \(in place, from TapShared; not changed\)\n$/);
  });

  it('the next env uses the role as it is: TapShared is not touched again', async () => {
    await deploy('one');
    fake.resetCalls();
    fake.cloudFormation.changeSetLog.length = 0;
    const r = await deploy('two', '--json');
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'deployed', accountRole: { kind: 'in-place', roleArn: OURS, owner: 'tap-shared' } });
    expect(changeSetStacks()).toEqual(['TapStack-two']);
    expect(fake.calls).not.toContain('UpdateAccount');
  });

  it("a role the account already has (set by someone else) is used as it is, never overwritten, and no shared stack is made", async () => {
    fake.apiGatewayAccount.cloudwatchRoleArn = THEIRS;
    const r = await deploy('one', '--json');
    expect(r.code).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ accountRole: { kind: 'in-place', roleArn: THEIRS, owner: 'account' } });
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(THEIRS);
    expect(fake.cloudFormation.stack('TapShared')).toBeUndefined();
    expect(changeSetStacks()).toEqual(['TapStack-one']);
    // No-op deploys say the same, without looking for a shared stack or asking whose role it is
    // (an env that already matches the code holds no role of its own).
    fake.resetCalls();
    const again = await deploy('one', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ kind: 'no-changes', accountRole: { kind: 'in-place', owner: 'account' } });
    expect(fake.calls).toEqual(['DescribeStacks', 'GetTemplate', 'GetAccount']);
  });

  it('TapShared deleted by hand leaves the setting naming its deleted role: the next deploy creates TapShared again', async () => {
    await deploy('one');
    fake.cloudFormation.deleteStack({ StackName: 'TapShared' });
    fake.cloudFormation.settle('TapShared');
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(OURS); // AWS keeps the setting when the resource goes
    const r = await deploy('one', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.split('\n').filter(Boolean).at(-1)!)).toMatchObject({ kind: 'no-changes', accountRole: { kind: 'shared-stack-deployed', roleArn: OURS } });
    expect(fake.cloudFormation.stack('TapShared')?.status).toBe('CREATE_COMPLETE');
  });

  it('TapShared deployed, but the account setting cleared by someone: stops with what to do, the env untouched', async () => {
    await deploy('one');
    fake.apiGatewayAccount.cloudwatchRoleArn = undefined;
    fake.cloudFormation.changeSetLog.length = 0;
    const r = await deploy('two');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("TapShared is deployed, but the account's API Gateway settings in us-east-1 name no CloudWatch role of it");
    expect(r.stderr).toContain('aws cloudformation delete-stack --stack-name TapShared');
    expect(changeSetStacks()).toEqual(['TapShared']);
    expect(fake.cloudFormation.stack('TapStack-two')).toBeUndefined();
  });

  it('a TapShared that CloudFormation calls complete while the account still names no role (as moto does) stops the deploy before the env', async () => {
    fake.before = (call) => {
      if (call === 'GetAccount' && fake.cloudFormation.stack('TapShared')) fake.apiGatewayAccount.cloudwatchRoleArn = undefined;
    };
    const r = await deploy('one');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TapShared is CREATE_COMPLETE, but the account's API Gateway settings in us-east-1 name no CloudWatch role; the env was not touched/);
    expect(fake.cloudFormation.stack('TapStack-one')).toBeUndefined();
  });

  it('a shared stack that fails to create stops the deploy before the env, with the root cause; the next deploy recreates it', async () => {
    fake.cloudFormation.failNext = { logicalId: 'ApiGatewayAccount', reason: 'The role ARN does not have required permissions set to API Gateway' };
    const r = await deploy('one');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TapShared could not be deployed \(ROLLBACK_COMPLETE\): ApiGatewayAccount \(AWS::ApiGateway::Account\) CREATE_FAILED: The role ARN does not have required permissions set to API Gateway; the env was not touched/);
    expect(fake.cloudFormation.stack('TapStack-one')).toBeUndefined();
    const again = await deploy('one', '--json');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/TapShared is ROLLBACK_COMPLETE after a failed create; deleting it before creating it again/);
  });

  it('a stuck shared stack stops the deploy with what to do about it, not an env command', async () => {
    await deploy('one');
    fake.apiGatewayAccount.cloudwatchRoleArn = undefined;
    fake.cloudFormation.stack('TapShared')!.status = 'UPDATE_ROLLBACK_FAILED';
    const r = await deploy('one');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TapShared is UPDATE_ROLLBACK_FAILED; tap cannot deploy over it');
    expect(r.stderr).toContain('aws cloudformation continue-update-rollback --stack-name TapShared');
    fake.cloudFormation.stack('TapShared')!.status = 'DELETE_FAILED';
    expect((await deploy('one')).stderr).toContain("look at TapShared's events in the CloudFormation console");
  });

  it("an env deployed by a tap that kept the setting in env stacks: its own role moves to TapShared's before this deploy removes it", async () => {
    await deployLegacy('old');
    await deployLegacy('other');
    const legacyRole = 'arn:aws:iam::123456789012:role/TapStack-other-ApiCloudWatchRole73EC6FC4';
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(legacyRole); // the last one deployed won
    // Env "old" does not own the role the account names: used as it is, only its own copy goes.
    const first = await deploy('old', '--yes', '--json');
    expect(first.code).toBe(0);
    expect(ndjson(first.stdout).result).toMatchObject({ accountRole: { kind: 'in-place', roleArn: legacyRole, owner: 'account' } });
    expect(fake.cloudFormation.resources('AWS::ApiGateway::Account').map((r) => r.stackName)).toEqual(['TapStack-other']);
    // Env "other" owns it: TapShared is deployed and the setting moved, then the env's role goes.
    const second = await deploy('other', '--yes', '--json');
    expect(second.code).toBe(0);
    expect(ndjson(second.stdout).result).toMatchObject({ kind: 'deployed', accountRole: { kind: 'moved-to-shared', stackName: 'TapShared', roleArn: OURS, from: legacyRole } });
    expect(second.stdout).toContain("a role of TapStack-other that this deploy removes: moving the setting to TapShared's role");
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(OURS);
    expect(fake.cloudFormation.resources('AWS::ApiGateway::Account').map((r) => r.stackName)).toEqual(['TapShared']);
    expect(changeSetStacks().slice(-2)).toEqual(['TapShared', 'TapStack-other']);
  });

  it('the same move when TapShared exists already: no change set for it, only the account setting', async () => {
    await deploy('one');
    await deployLegacy('old'); // an old tap deployed over the setting meanwhile
    fake.cloudFormation.changeSetLog.length = 0;
    const r = await deploy('old', '--yes', '--json');
    expect(ndjson(r.stdout).result).toMatchObject({ accountRole: { kind: 'moved-to-shared', roleArn: OURS } });
    expect(changeSetStacks()).toEqual(['TapStack-old']);
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(OURS);
  });

  it('tap destroy --env never removes the shared stack, and says it stays', async () => {
    await deploy('one');
    const r = await runTap(['destroy', '--env', 'one', '--yes', '--no-color']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("stack TapShared (CREATE_COMPLETE): API Gateway's CloudWatch role for every env in this account and region (never removed by tap)");
    expect(fake.cloudFormation.stack('TapShared')?.status).toBe('CREATE_COMPLETE');
    expect(fake.apiGatewayAccount.cloudwatchRoleArn).toBe(OURS);
  });
});

describe('tap destroy: what stays, as tap sees it', () => {
  it("an account whose own role is used has no TapShared, and destroy does not name one", async () => {
    fake.apiGatewayAccount.cloudwatchRoleArn = THEIRS;
    expect((await deploy('own')).code).toBe(0);
    const r = await runTap(['destroy', '--env', 'own', '--yes', '--json']);
    const { remaining } = ndjson(r.stdout).result as { remaining: string[] };
    expect(remaining.join('\n')).not.toMatch(/TapShared|if tap created it/);
  });
});

describe('tap deploy: regions', () => {
  it.each(['ca-west-1', 'mx-central-1'])('refuses %s (no AWS::Events::Archive there) with exit 2 before any AWS call', async (region) => {
    const r = await runTap(['deploy', '--env', 'one', '--region', region]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tap cannot deploy to ${region}: CloudFormation does not offer AWS::Events::Archive there`);
    expect(r.stderr).toContain('not supported: ca-west-1, mx-central-1');
    expect(fake.calls).toEqual([]);
  });
});
