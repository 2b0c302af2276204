import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { namesFor } from '../src/stack/naming.js';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

// The fake's stacks and change sets move with its clock, not with reads; the update states follow the
// CloudFormation User Guide's stack status codes, and tap's monitor follows them to the end.

const STACK = 'TapStack-clk';
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const deploy = (...args: string[]) => runTap(['deploy', '--env', 'clk', ...args]);
const stack = () => fake.cloudFormation.stack(STACK)!;
/** The stack's own statuses from `since` on (its events, oldest first). */
const stackStatuses = (since = 0) => stack().events.slice(since).filter((e) => e.LogicalResourceId === STACK).map((e) => String(e.ResourceStatus));

/** Changes the deployed stack so that the next deploy adds the execution log group and modifies the X-Ray group. */
function driftDeployed(): void {
  const s = stack();
  const template = JSON.parse(s.templateBody) as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
  delete template.Resources.ApiExecutionLogs66FBF5B8;
  s.resources.delete('ApiExecutionLogs66FBF5B8');
  template.Resources.TraceGroup!.Properties = { ...template.Resources.TraceGroup!.Properties, FilterExpression: 'service("old")' };
  s.templateBody = JSON.stringify(template);
}

describe('stacks on the fake clock', () => {
  it('a failed update rolls back through UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, deleting what it created; tap follows it to the end', async () => {
    expect((await deploy()).code).toBe(0);
    driftDeployed();
    const since = stack().events.length;
    fake.cloudFormation.failNext = { logicalId: 'TraceGroup', reason: 'Invalid filter expression' };
    const r = await deploy('--json');
    expect(r.code).toBe(1);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'failed', status: 'UPDATE_ROLLBACK_COMPLETE', rootCause: { logicalId: 'TraceGroup', reason: 'Invalid filter expression' } });
    expect(stackStatuses(since)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
    // The log group the update created is deleted in the clean-up phase, after the rollback proper.
    const events = stack().events.slice(since).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
    expect(events.indexOf('ApiExecutionLogs66FBF5B8 DELETE_COMPLETE')).toBeGreaterThan(events.indexOf(`${STACK} UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS`));
    expect(stack().resources.has('ApiExecutionLogs66FBF5B8')).toBe(false);
    // Every stack status was shown, the clean-up one included.
    const shown = ndjson(r.stdout).events.filter((e) => e.code === 'stack.event').map((e) => (e.data as { status: string; logicalId: string }));
    expect(shown.filter((e) => e.logicalId === STACK).map((e) => e.status)).toEqual(expect.arrayContaining(['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']));
  });

  it('a rollback trigger rolls an update back through the same states', async () => {
    expect((await deploy()).code).toBe(0);
    driftDeployed();
    const since = stack().events.length;
    fake.cloudWatch.setAlarmState({ AlarmName: namesFor('clk').alarms['api-5xx'], StateValue: 'ALARM', StateReason: 'Threshold Crossed' });
    expect((await deploy()).code).toBe(1);
    expect(stackStatuses(since)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
  });

  it('a successful update passes UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', async () => {
    expect((await deploy()).code).toBe(0);
    driftDeployed();
    const since = stack().events.length;
    expect((await deploy()).code).toBe(0);
    expect(stackStatuses(since)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
  });

  it('a --no-wait deploy goes on while time passes, with no one reading the stack', async () => {
    expect((await deploy('--no-wait')).code).toBe(0);
    expect(stack().status).toBe('CREATE_IN_PROGRESS');
    fake.resetCalls();
    await fake.advance(60_000);
    expect(fake.calls).toEqual([]);
    expect(stack().status).toBe('CREATE_COMPLETE');
  });

  it('reads alone do not move a stack or a change set: only time does', async () => {
    expect((await deploy('--no-wait')).code).toBe(0);
    const cf = fake.cloudFormation;
    const before = stack().events.length;
    for (let i = 0; i < 20; i++) cf.describeStackEvents({ StackName: STACK });
    expect(stack().events.length).toBe(before);
    await fake.advance(60_000);
    const { Id } = cf.createChangeSet({ StackName: STACK, ChangeSetName: 'later', ChangeSetType: 'UPDATE', TemplateBody: '{"Resources":{}}' }, () => '');
    for (let i = 0; i < 5; i++) expect(cf.describeChangeSet({ ChangeSetName: Id }).Status).toBe('CREATE_IN_PROGRESS');
    await fake.advance(1000);
    expect(cf.describeChangeSet({ ChangeSetName: Id }).Status).toBe('CREATE_COMPLETE');
  });
});
