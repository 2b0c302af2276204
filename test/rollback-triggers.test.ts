import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alarmBehind, parseMonitor } from '../src/deploy/rollback-triggers.js';
import { namesFor } from '../src/stack/naming.js';
import { FakeAws } from './fake-aws/index.js';
import { testDeps } from './helpers/deps.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

const names = namesFor('rbt');
const rollupArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${names.rollup}`;
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

type Input = { RollbackConfiguration?: { RollbackTriggers?: { Arn?: string; Type?: string }[]; MonitoringTimeInMinutes?: number } };
const deploy = (...args: string[]) => runTap(['deploy', '--env', 'rbt', '--json', ...args]);
/** The rollback-trigger messages of a human-mode run (info lines, on stderr). */
const triggerMessages = (stderr: string) => stderr.split('\n').filter((l) => /rollback trigger/i.test(l)).map((l) => l.replace(/^ℹ /, ''));
const human = (...args: string[]) => runTap(['deploy', '--env', 'rbt', '--no-color', ...args]);

describe('rollback triggers', () => {
  it('a first create has none and says so; an update names the composite alarm, with --monitor as MonitoringTimeInMinutes', async () => {
    const created = vi.spyOn(fake.cloudFormation, 'createChangeSet');
    const first = await human();
    expect(first.code).toBe(0);
    expect(triggerMessages(first.stderr)).toEqual(['No rollback triggers on a first create: the alarms do not exist yet; the next update has them']);
    const stackInputs = () => created.mock.calls.map(([i]) => i as Input & { StackName?: string }).filter((i) => i.StackName === names.stack);
    expect(stackInputs()[0]?.RollbackConfiguration).toEqual({ RollbackTriggers: [], MonitoringTimeInMinutes: 0 });

    const update = await human('--tag', 'team=ops', '--monitor', '15m');
    expect(update.code).toBe(0);
    expect(triggerMessages(update.stderr)).toEqual([`Rollback trigger: ${names.rollup} (any of the env's 9 alarms in ALARM rolls the update back), watched for 15 min after the update`]);
    expect(stackInputs()[1]?.RollbackConfiguration).toEqual({ RollbackTriggers: [{ Arn: rollupArn, Type: 'AWS::CloudWatch::CompositeAlarm' }], MonitoringTimeInMinutes: 15 });
  });

  it('an update of a stack without the alarms yet has none either', async () => {
    expect((await deploy()).code).toBe(0);
    const stack = fake.cloudFormation.stack(names.stack)!;
    for (const [id, r] of stack.resources) if (r.type === 'AWS::CloudWatch::CompositeAlarm') stack.resources.delete(id);
    const update = await human('--tag', 'team=ops');
    expect(triggerMessages(update.stderr)).toEqual([`No rollback triggers: ${names.rollup} does not exist yet (this deploy creates it); the next update has them`]);
  });

  it('an alarm in ALARM during an update rolls it back: exit 1, naming the alarm and its reason', async () => {
    expect((await deploy()).code).toBe(0);
    const reason = 'Threshold Crossed: 1 datapoint [3.0] was greater than or equal to the threshold (1.0).';
    fake.cloudWatch.setAlarmState({ AlarmName: names.alarms['handler-errors'], StateValue: 'ALARM', StateReason: reason });
    const r = await deploy('--tag', 'team=ops');
    expect(r.code).toBe(1);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'failed', status: 'UPDATE_ROLLBACK_COMPLETE', alarm: { alarm: names.alarms['handler-errors'], reason } });
    expect(fake.cloudFormation.stack(names.stack)!.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const again = await human('--tag', 'team=dev');
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`TapStack-rbt: rolled back by alarm ${names.alarms['handler-errors']}, stack is UPDATE_ROLLBACK_COMPLETE\nAlarm reason: ${reason}\n`);
  });

  it('the alarm behind a rollback: named by ARN or name in the stack reason; one OK again keeps the stack reason; none named, none', async () => {
    expect((await deploy()).code).toBe(0);
    const deps = testDeps();
    expect(await alarmBehind(deps, names, 'The following resource(s) failed to update: [Handler].')).toBeUndefined();
    expect(await alarmBehind(deps, names, undefined)).toBeUndefined();
    expect(await alarmBehind(deps, names, `Rollback trigger ${rollupArn} fired`)).toEqual({ alarm: names.rollup, reason: `Rollback trigger ${rollupArn} fired` });
    fake.cloudWatch.setAlarmState({ AlarmName: names.alarms['dlq-age'], StateValue: 'ALARM', StateReason: 'old' });
    expect(await alarmBehind(deps, names, `alarm ${names.alarms['dlq-depth']} went into ALARM`)).toEqual({ alarm: names.alarms['dlq-age'], reason: 'old' });
  });

  it('--monitor takes 0 or whole minutes up to 180; anything else is exit 2 before any call', async () => {
    expect([parseMonitor('0', '--monitor'), parseMonitor('0m', '--monitor'), parseMonitor('90m', '--monitor'), parseMonitor('3h', '--monitor')]).toEqual([0, 0, 90, 180]);
    for (const bad of ['181m', '90s', '4h', 'soon', '-5m']) {
      const r = await deploy('--monitor', bad);
      expect([bad, r.code]).toEqual([bad, 2]);
      expect(JSON.parse(r.stdout).message).toMatch(/^invalid --monitor/);
    }
    expect(fake.calls).toEqual([]);
  });
});
