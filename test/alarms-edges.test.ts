import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEnvAlarms, todoOf } from '../src/aws/alarms.js';
import { alarmsCheck } from '../src/checks/alarms.js';
import type { CheckContext } from '../src/checks/check.js';
import { github, render, type DeployResult } from '../src/commands/deploy.js';
import { namesFor } from '../src/stack/naming.js';
import { testDeps } from './helpers/deps.js';

// The alarms read against answers the fake does not give: pages without lists, alarms without a reason or description.
const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());
const names = namesFor('dev');

const ctx = (outputs: Record<string, string>): CheckContext => ({
  deps: testDeps(),
  env: 'dev',
  names,
  timeoutMs: 1000,
  stack: () => Promise.resolve(undefined),
  outputs: () => Promise.resolve(outputs),
  result: () => Promise.reject(new Error('none')),
});

describe('alarms: sparse answers', () => {
  it('a page without MetricAlarms or CompositeAlarms reads as none; the next page is still read', async () => {
    cw.on(DescribeAlarmsCommand).resolvesOnce({ NextToken: 't' }).resolvesOnce({ MetricAlarms: [{ AlarmName: names.alarms['api-5xx'], StateValue: 'OK' }] });
    const read = await describeEnvAlarms(testDeps(), names);
    expect(read.metric.filter((m) => m.alarm).map((m) => m.name)).toEqual([names.alarms['api-5xx']]);
    expect(read.rollup).toBeUndefined();
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
  });

  it('what to do comes from the description; none without one', () => {
    expect(todoOf({ AlarmDescription: 'X at 1 or more. To do: look at Y.' })).toBe('look at Y');
    expect(todoOf({})).toBeUndefined();
  });

  it('an alarm in ALARM without a reason or a description, and a stack without the topic output', async () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:srv-alerts-dev';
    const alarms: MetricAlarm[] = Object.values(names.alarms).map((AlarmName) => ({ AlarmName, StateValue: (AlarmName === names.alarms['dlq-age'] ? 'ALARM' : 'OK'), AlarmActions: [topic], OKActions: [topic] }));
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: alarms, CompositeAlarms: [{ AlarmName: names.rollup, StateValue: 'ALARM' }] });
    expect(await alarmsCheck.run(ctx({ AlertsTopicArn: topic }))).toMatchObject({
      status: 'fail',
      detail: `in ALARM: ${names.alarms['dlq-age']} (no reason given)`,
      remedy: `${names.alarms['dlq-age']}: see its description`,
    });
    const noTopic = await alarmsCheck.run(ctx({}));
    expect(noTopic).toMatchObject({ status: 'fail', detail: expect.stringContaining(`${names.alarms['api-5xx']} does not notify ${names.alerts} on ALARM and OK`) });
  });

  it('a deploy rolled back by an alarm says so in the GitHub summary, in place of a root cause', () => {
    const r: DeployResult = {
      kind: 'failed',
      env: 'dev',
      stackName: names.stack,
      accountRole: { kind: 'in-place', roleArn: 'arn:role', owner: 'account' } as DeployResult['accountRole'],
      status: 'UPDATE_ROLLBACK_COMPLETE',
      changes: [],
      failures: [],
      rootCause: { eventId: 'e', logicalId: names.stack, type: 'AWS::CloudFormation::Stack', status: 'UPDATE_ROLLBACK_IN_PROGRESS', reason: 'x' },
      alarm: { alarm: names.alarms['api-5xx'], reason: 'Threshold Crossed' },
    };
    let summary = '';
    github(r, { summary: (s: string) => void (summary += s), output: () => {}, annotate: () => {} } as unknown as Parameters<typeof github>[1]);
    expect(summary).toContain(`Rolled back by alarm ${names.alarms['api-5xx']}: Threshold Crossed`);
    expect(summary).not.toContain('Root cause');
    expect(render(r)).toMatch(/^TapStack-dev: rolled back by alarm srv-api-5xx-dev, stack is UPDATE_ROLLBACK_COMPLETE\nAlarm reason: Threshold Crossed\n/);
  });
});
