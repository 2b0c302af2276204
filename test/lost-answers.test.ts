import { CreateChangeSetCommand, DeleteStackCommand, ExecuteChangeSetCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';


// Writes whose answer is lost after they took effect: tap (or the SDK) sends them again with the same token.
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
  // The account has API Gateway's role already, so deploy makes the env's change sets only (no TapShared).
  fake.apiGatewayAccount.cloudwatchRoleArn = 'arn:aws:iam::123456789012:role/apigw-logs';
});
afterEach(() => fake.restore());

/** The inputs tap sent for one command, from aws-sdk-client-mock's record of the CloudFormation client. */
async function inputs<T>(command: new (input: T) => unknown): Promise<T[]> {
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  // aws-sdk-client-mock stubs the prototype's send (a sinon stub), which records every call.
  const stub = Reflect.get(CloudFormationClient.prototype, 'send') as unknown as { getCalls(): { args: [unknown] }[] };
  return stub.getCalls().map((c) => c.args[0]).filter((c): c is { input: T } => c instanceof command).map((c) => c.input);
}

describe('CloudFormation writes carry one token per command run, reused by every try', () => {
  it('CreateChangeSet and ExecuteChangeSet whose answers were lost: one change set, one operation', async () => {
    fake.loseNextAnswer.add('CreateChangeSet').add('ExecuteChangeSet');
    const r = await runTap(['deploy', '--env', 'tok', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE' });
    expect(fake.cloudFormation.changeSetsCreated).toBe(1);
    const creates = await inputs(CreateChangeSetCommand);
    const executes = await inputs(ExecuteChangeSetCommand);
    expect(creates).toHaveLength(2);
    expect(creates[0]?.ClientToken).toMatch(/^tap-create-[0-9a-f-]{36}$/);
    expect(creates[1]).toEqual(creates[0]);
    expect(executes).toHaveLength(2);
    expect(executes[0]?.ClientRequestToken).toMatch(/^tap-execute-[0-9a-f-]{36}$/);
    expect(executes[1]).toEqual(executes[0]);
    // One operation: its events carry the execute token, and there is one CREATE_IN_PROGRESS of the stack.
    const events = fake.cloudFormation.stack('TapStack-tok')!.events;
    expect(events.filter((e) => e.LogicalResourceId === 'TapStack-tok' && e.ResourceStatus === 'CREATE_IN_PROGRESS')).toHaveLength(1);
    expect(new Set(events.filter((e) => (e.ResourceStatus as string) !== 'REVIEW_IN_PROGRESS').map((e) => e.ClientRequestToken))).toEqual(new Set([executes[0]?.ClientRequestToken]));
  });

  it('a second deploy run gets new tokens', async () => {
    await runTap(['deploy', '--env', 'tok']);
    await runTap(['deploy', '--env', 'tok', '--tag', 'team=a']);
    const tokens = (await inputs(CreateChangeSetCommand)).map((i) => i.ClientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('DeleteStack whose answer was lost: one delete; a second attempt after DELETE_FAILED has its own token', async () => {
    await runTap(['deploy', '--env', 'tok']);
    fake.loseNextAnswer.add('DeleteStack');
    let late = true;
    fake.before = (call) => {
      // An object lands after emptying, so the first delete ends DELETE_FAILED.
      if (call === 'DescribeStackEvents' && late && fake.cloudFormation.stack('TapStack-tok')?.status === 'DELETE_IN_PROGRESS') {
        late = false;
        fake.s3.putObject('srv-data-tok-123456789012-us-east-1', 'receipts/late.json', '{}');
      }
    };
    const r = await runTap(['destroy', '--env', 'tok', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'destroyed', attempts: 2 });
    const deletes = (await inputs(DeleteStackCommand)).map((i) => i.ClientRequestToken);
    expect(deletes).toEqual([expect.stringMatching(/^tap-delete-1-/), deletes[0], expect.stringMatching(/^tap-delete-2-/)]);
    expect(deletes[2]).not.toBe(deletes[0]);
  });
});

describe('the stack-event monitor follows its own operation', () => {
  it('an event of another operation (another token) is not taken as ours, not even the stack reaching a final status', async () => {
    let injected = false;
    fake.before = (call) => {
      const stack = fake.cloudFormation.stack('TapStack-mon');
      if (call !== 'DescribeStackEvents' || injected || stack?.status !== 'CREATE_IN_PROGRESS') return;
      injected = true;
      const foreign: StackEvent = { StackId: stack.id, StackName: stack.name, EventId: 'foreign-1', LogicalResourceId: stack.name, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_COMPLETE', Timestamp: new Date(), ClientRequestToken: 'Console-UpdateStack-0123' };
      stack.events.push(foreign);
    };
    const r = await runTap(['deploy', '--env', 'mon', '--json']);
    expect(injected).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    const { events, result } = ndjson(r.stdout);
    expect(result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE' });
    expect(JSON.stringify(events)).not.toContain('foreign-1');
    // The command ended with the operation, not with the foreign event.
    expect(fake.cloudFormation.stack('TapStack-mon')?.status).toBe('CREATE_COMPLETE');
  });
});
