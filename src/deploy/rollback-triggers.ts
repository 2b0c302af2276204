import type { RollbackConfiguration } from '@aws-sdk/client-cloudformation';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import type { EnvNames } from '../stack/naming.js';
import { parseDuration } from '../time.js';

/**
 * The env's alarms as CloudFormation rollback triggers (CreateChangeSet's RollbackConfiguration;
 * ExecuteChangeSet takes none). CloudFormation takes at most five triggers, so the one trigger is
 * the composite of all nine alarms; it must exist before the operation starts ("if a specified
 * trigger is missing, the entire stack operation fails"), so a first create, or the first update
 * that adds the alarms, has none.
 */

/** MonitoringTimeInMinutes: 0 to 180 (CloudFormation API reference, RollbackConfiguration). */
export const MAX_MONITOR_MINUTES = 180;

/** `--monitor`: `0`, or a whole number of minutes up to 180 given as a duration (`30m`, `2h`). */
export function parseMonitor(text: string, flag: string): number {
  if (/^0\s*[smhd]?$/.test(text.trim())) return 0;
  const ms = parseDuration(text, flag);
  if (ms % 60_000 !== 0 || ms > MAX_MONITOR_MINUTES * 60_000) {
    throw new UsageError(`invalid ${flag} '${text}': whole minutes from 0 to ${MAX_MONITOR_MINUTES} (3h), e.g. 15m`);
  }
  return ms / 60_000;
}

/** The composite alarm's ARN, or undefined when it does not exist (yet). */
async function rollupArn(deps: Deps, names: EnvNames): Promise<string | undefined> {
  const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
  const cw = await deps.aws.cloudWatch();
  const { CompositeAlarms = [] } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [names.rollup], AlarmTypes: ['CompositeAlarm'] }));
  return CompositeAlarms.find((a) => a.AlarmName === names.rollup)?.AlarmArn;
}

/** What CreateChangeSet gets: the composite as trigger when it exists, and the monitoring time; says which. */
export async function rollbackConfiguration(deps: Deps, names: EnvNames, type: 'CREATE' | 'UPDATE', monitorMinutes: number): Promise<RollbackConfiguration> {
  const arn = type === 'UPDATE' ? await rollupArn(deps, names) : undefined;
  if (arn) {
    deps.io.notify({ level: 'info', code: 'deploy.rollback-triggers', data: { kind: 'set', rollup: names.rollup, alarms: Object.keys(names.alarms).length, monitorMinutes } });
    return { RollbackTriggers: [{ Arn: arn, Type: 'AWS::CloudWatch::CompositeAlarm' }], MonitoringTimeInMinutes: monitorMinutes };
  }
  deps.io.notify({ level: 'info', code: 'deploy.rollback-triggers', data: { kind: 'none', rollup: names.rollup, reason: type === 'CREATE' ? 'first-create' : 'no-composite', monitorMinutes } });
  return { RollbackTriggers: [], MonitoringTimeInMinutes: monitorMinutes };
}

/** An alarm of this env that rolled an operation back, with the reason it is in ALARM. */
export interface AlarmRollback {
  readonly alarm: string;
  readonly reason: string;
}

/**
 * Which alarm rolled the operation back, when the stack's rollback reason names one of the env's
 * alarms (by ARN or name: AWS does not document the sentence, so no wording is relied on). For the
 * composite, the alarms in ALARM name the cause.
 */
export async function alarmBehind(deps: Deps, names: EnvNames, stackReason: string | undefined): Promise<AlarmRollback | undefined> {
  const own = [names.rollup, ...Object.values(names.alarms)];
  const named = [...(stackReason ?? '').matchAll(/alarm[:/]([\w.\-/#]+)/g)].map((m) => m[1]!).find((n) => own.includes(n)) ?? own.find((n) => new RegExp(`\\b${n}\\b`).test(stackReason ?? ''));
  if (!named) return undefined;
  const { paginateDescribeAlarms } = await import('@aws-sdk/client-cloudwatch');
  const client = await deps.aws.cloudWatch();
  // The alarms in ALARM now, the one named first; one that is OK again leaves the stack's own reason.
  const firing: { AlarmName?: string; StateReason?: string }[] = [];
  for await (const page of paginateDescribeAlarms({ client }, { AlarmNames: Object.values(names.alarms), StateValue: 'ALARM' })) firing.push(...(page.MetricAlarms ?? []));
  const cause = firing.find((a) => a.AlarmName === named) ?? firing[0];
  return cause?.AlarmName ? { alarm: cause.AlarmName, reason: cause.StateReason ?? 'no reason given' } : { alarm: named, reason: stackReason ?? 'no reason given' };
}
