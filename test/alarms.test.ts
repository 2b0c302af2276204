import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectsData } from '../src/stack/alarm-spec.js';
import { ALARM_IDS, namesFor } from '../src/stack/naming.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';

const names = namesFor('alm');
let fake: FakeAws;
beforeEach(async () => {
  fake = new FakeAws().install();
  expect((await runTap(['deploy', '--env', 'alm'])).code).toBe(0);
  fake.resetCalls();
});
afterEach(() => fake.restore());

type Line = { health: string; summary: string; rule: string; data?: Record<string, unknown> };
type Check = { id: string; status: string; detail: string; remedy?: string };
const statusLine = async (): Promise<{ code: number; line: Line }> => {
  const r = await runTap(['status', '--env', 'alm', '--json'], { fetch: fake.fetch });
  return { code: r.code, line: (JSON.parse(r.stdout) as { lines: (Line & { id: string })[] }).lines.find((l) => l.id === 'alarms')! };
};
const alarmsCheck = async (): Promise<{ code: number; check: Check }> => {
  const r = await runTap(['verify', '--env', 'alm', '--only', 'alarms', '--json']);
  return { code: r.code, check: (JSON.parse(r.stdout) as { checks: Check[] }).checks.find((c) => c.id === 'alarms')! };
};
/** The deployed alarm resource named `name` (its template properties, which the fake's CloudWatch reads). */
const resource = (name: string) => [...fake.cloudFormation.stack(names.stack)!.resources.values()].find((r) => (r.properties as { AlarmName?: string }).AlarmName === name)!;
const setState = (id: (typeof ALARM_IDS)[number], value: string, reason: string) => fake.cloudWatch.setAlarmState({ AlarmName: names.alarms[id], StateValue: value, StateReason: reason });

describe('the fake CloudWatch', () => {
  it('has the alarms the template declares, read by name in pages, metric alarms unless composites are asked for', () => {
    const all = [...Object.values(names.alarms), names.rollup];
    const first = fake.cloudWatch.describeAlarms({ AlarmNames: all, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(first.MetricAlarms.length + first.CompositeAlarms.length).toBe(fake.cloudWatch.alarmPageSize);
    expect(first.NextToken).toBeDefined();
    expect(fake.cloudWatch.describeAlarms({ AlarmNamePrefix: 'srv-dlq-' }).MetricAlarms.map((a) => a.AlarmName)).toEqual(['srv-dlq-age-alm', 'srv-dlq-depth-alm']);
    expect(fake.cloudWatch.describeAlarms({ AlarmNames: [names.rollup] }).MetricAlarms).toEqual([]);
    expect(fake.cloudWatch.describeAlarms({ StateValue: 'ALARM', MaxRecords: 100 }).MetricAlarms).toEqual([]);
    expect(() => fake.cloudWatch.describeAlarms({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })).toThrow(/cannot be given together/);
    expect(() => fake.cloudWatch.describeAlarms({ MaxRecords: 101 })).toThrow(/MaxRecords/);
    expect(() => fake.cloudWatch.describeAlarms({ AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) })).toThrow(/100/);
    expect(() => fake.cloudWatch.setAlarmState({ AlarmName: 'srv-nope-alm', StateValue: 'ALARM' })).toThrow(/not found/);
    // A composite is in ALARM while a child is.
    setState('api-5xx', 'ALARM', 'Threshold Crossed');
    expect(fake.cloudWatch.describeAlarms({ AlarmNames: [names.rollup], AlarmTypes: ['CompositeAlarm'] }).CompositeAlarms[0]).toMatchObject({ StateValue: 'ALARM' });
  });
});

describe('alarms in tap status and tap verify', () => {
  it('green and passing on a quiet env; every page of DescribeAlarms is read', async () => {
    const { code, line } = await statusLine();
    expect([code, line]).toEqual([0, { id: 'alarms', health: 'green', summary: '9 alarms, none in ALARM', rule: 'green: none in ALARM', data: { alarm: [], insufficientData: [], missing: [] } }]);
    // 10 names (9 and the composite), 4 a page.
    expect(fake.calls.filter((c) => c === 'DescribeAlarms')).toHaveLength(3);
    const { check } = await alarmsCheck();
    expect(check).toMatchObject({ status: 'pass', detail: `9 alarms OK, each notifying ${names.alerts}; ${names.rollup} OK` });
  });

  it('an alarm in ALARM is red and named; verify fails with its reason and what to do', async () => {
    setState('dlq-depth', 'ALARM', 'Threshold Crossed: 1 datapoint [4.0] was greater than or equal to the threshold (1.0).');
    const { code, line } = await statusLine();
    expect(code).toBe(1);
    expect(line).toMatchObject({ health: 'red', summary: `in ALARM: ${names.alarms['dlq-depth']}; 8 not`, rule: 'red: any alarm in ALARM' });
    const verified = await alarmsCheck();
    expect(verified.code).toBe(1);
    expect(verified.check).toMatchObject({
      status: 'fail',
      detail: `in ALARM: ${names.alarms['dlq-depth']} (Threshold Crossed: 1 datapoint [4.0] was greater than or equal to the threshold (1.0).)`,
      remedy: `${names.alarms['dlq-depth']}: inspect the messages, fix the processor, then \`tap replay-archive\` their window and purge the DLQ`,
    });
  });

  it('INSUFFICIENT_DATA: amber in status only where data is expected; a warning in verify', async () => {
    setState('api-latency', 'INSUFFICIENT_DATA', 'Unchecked: Initial alarm creation');
    expect((await statusLine()).line.health).toBe('green');
    expect((await alarmsCheck()).check).toMatchObject({ status: 'warn', detail: `INSUFFICIENT_DATA: ${names.alarms['api-latency']}` });
    (resource(names.alarms['api-latency']).properties as Record<string, unknown>).TreatMissingData = 'missing';
    expect((await statusLine()).line).toMatchObject({ health: 'amber', summary: `INSUFFICIENT_DATA: ${names.alarms['api-latency']}`, rule: 'amber: no data where data is expected' });
    expect([undefined, 'missing', 'breaching'].map(expectsData)).toEqual([true, true, true]);
    expect(['notBreaching', 'ignore'].map(expectsData)).toEqual([false, false]);
  });

  it('a missing alarm, one that does not notify the topic, or no composite: verify fails; status says what is missing', async () => {
    const stack = fake.cloudFormation.stack(names.stack)!;
    stack.resources.delete(resource(names.alarms['rule-failures']).logicalId);
    (resource(names.alarms['api-5xx']).properties as Record<string, unknown>).OKActions = [];
    expect((await statusLine()).line).toMatchObject({ health: 'amber', summary: `1 missing (${names.alarms['rule-failures']}): deploy to create them`, rule: 'amber: an alarm is missing' });
    stack.resources.delete(resource(names.rollup).logicalId);
    expect((await alarmsCheck()).check).toMatchObject({
      status: 'fail',
      detail: `${names.alarms['api-5xx']} does not notify ${names.alerts} on OK; ${names.alarms['rule-failures']} is missing; ${names.rollup} (the rollback trigger) is missing`,
      remedy: 'run `tap deploy --env alm` to put it back as the code declares it',
    });
  });
});
